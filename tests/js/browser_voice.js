// window.runVoiceConversation(connection) → what the official SDK saw during one voice call:
// the first message, the user's transcript, a client tool round trip, the spoken reply, the end.
const until = (predicate, what, ms = 240_000) =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (predicate()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > ms) {
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(window.seen)}`));
      }
    }, 50);
  });

window.runVoiceConversation = async (connection) => {
  const seen = { messages: [], toolCalls: [], audioEvents: 0, volume: [], modes: [], disconnect: null, errors: [] };
  window.seen = seen;
  const conversation = await ElevenLabsClient.Conversation.startSession({
    ...connection,
    connectionType: "websocket",
    dynamicVariables: { user_name: "Bo" },
    clientTools: {
      get_weather: async (parameters) => {
        seen.toolCalls.push(parameters);
        return { city: parameters.city, temperature_c: 23, condition: "sunny" };
      },
    },
    onMessage: ({ role, message }) => seen.messages.push({ role, message }),
    onAudio: () => { seen.audioEvents += 1; },
    onModeChange: ({ mode }) => seen.modes.push(mode),
    onError: (message) => seen.errors.push(String(message)),
    onDisconnect: (details) => { seen.disconnect = details.reason; },
  });
  seen.conversationId = conversation.getId();
  const loudest = { firstMessage: 0, reply: 0 };
  const meter = setInterval(() => {
    const stage = seen.toolCalls.length ? "reply" : "firstMessage";
    loudest[stage] = Math.max(loudest[stage], conversation.getOutputVolume());
  }, 20);
  const agentSaid = () => seen.messages.filter((m) => m.role === "agent").length;
  await until(() => seen.toolCalls.length > 0 && agentSaid() >= 2, "the tool call and the reply");
  await until(() => loudest.reply > 0 && seen.modes.at(-1) === "listening", "the spoken reply");
  clearInterval(meter);
  seen.loudest = loudest;
  await conversation.endSession();
  await until(() => seen.disconnect !== null, "the end", 10_000);
  return seen;
};
