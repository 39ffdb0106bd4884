// A text conversation through the official JS client (@elevenlabs/client) in Node.
// Usage: node text_conversation.mjs <origin ws://host:port | signed-url> <agent_id> <mode: origin|signed>
//        <http base url> <api key>
// After the call it reads the conversation back through the JS REST SDK (strict parsing).
// Prints one JSON summary of what the SDK saw; exits 1 on failure or after 120 s.
import WebSocket from "ws";
import { Conversation } from "@elevenlabs/client";
import { ElevenLabsClient } from "@elevenlabs/elevenlabs-js";

globalThis.WebSocket = WebSocket; // Node 20 has no global WebSocket

const [target, agentId, mode, baseUrl, apiKey] = process.argv.slice(2);
const seen = { messages: [], toolCalls: [], pings: 0, disconnect: null, errors: [] };
const deadline = setTimeout(() => {
  console.log(JSON.stringify({ ...seen, timedOut: true }));
  process.exit(1);
}, 120_000);

function waitFor(predicate) {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (seen.disconnect !== null) {
        console.log(JSON.stringify({ ...seen, endedEarly: true }));
        process.exit(1);
      }
      if (predicate()) {
        clearInterval(poll);
        resolve();
      }
    }, 50);
  });
}

const connection = mode === "signed" ? { signedUrl: target } : { agentId, origin: target };
const conversation = await Conversation.startSession({
  ...connection,
  connectionType: "websocket",
  textOnly: true,
  dynamicVariables: { user_name: "Bo" },
  clientTools: {
    get_weather: async (parameters) => {
      seen.toolCalls.push(parameters);
      return { city: parameters.city, temperature_c: 23, condition: "sunny" };
    },
  },
  onMessage: ({ message, role }) => seen.messages.push({ role, message }),
  onDebug: (event) => {
    if (event?.type === "ping") seen.pings += 1;
  },
  onError: (message) => seen.errors.push(String(message)),
  onDisconnect: (details) => {
    seen.disconnect = details.reason;
  },
});
seen.conversationId = conversation.getId();

const agentSaid = () => seen.messages.filter((m) => m.role === "agent").length;
await waitFor(() => agentSaid() >= 1);
conversation.sendUserMessage("What is the weather in Paris right now?");
await waitFor(() => agentSaid() >= 2);
await conversation.endSession();

const rest = new ElevenLabsClient({ apiKey, baseUrl, maxRetries: 0 });
let stored;
for (let attempt = 0; attempt < 50; attempt += 1) {
  stored = await rest.conversationalAi.conversations.get(seen.conversationId);
  if (stored.status === "done") break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
seen.stored = {
  status: stored.status,
  agentId: stored.agentId,
  roles: stored.transcript.map((entry) => entry.role),
  toolNames: stored.transcript.flatMap((entry) => (entry.toolCalls ?? []).map((c) => c.toolName)),
};
const page = await rest.conversationalAi.conversations.list({ agentId });
seen.listed = page.conversations.map((c) => c.conversationId);
clearTimeout(deadline);
console.log(JSON.stringify(seen));
process.exit(0);
