// Drives Parley's agents REST API through the official JS REST SDK, which validates every
// response strictly. Usage: node rest_roundtrip.mjs <base_url> <api_key> <full_agent_id>
// Prints one JSON object describing what the SDK saw; exits 1 on any SDK error.
import { ElevenLabsClient, ElevenLabsError } from "@elevenlabs/elevenlabs-js";

const [baseUrl, apiKey, fullAgentId] = process.argv.slice(2);
const client = new ElevenLabsClient({ apiKey, baseUrl, maxRetries: 0 });
const agents = client.conversationalAi.agents;

async function statusOf(promise) {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof ElevenLabsError) return error.statusCode;
    throw error;
  }
}

const created = await agents.create({
  name: "JS agent",
  tags: ["js"],
  conversationConfig: {
    agent: {
      firstMessage: "Hello from JS",
      language: "en",
      prompt: {
        prompt: "You help with the weather.",
        tools: [
          {
            type: "client",
            name: "get_weather",
            description: "Weather for a city",
            responseTimeoutSecs: 20,
            expectsResponse: true,
            parameters: {
              type: "object",
              required: ["location"],
              properties: { location: { type: "string", description: "City name" } },
            },
          },
        ],
      },
    },
    tts: { agentOutputAudioFormat: "pcm_16000" },
  },
  platformSettings: { auth: { enableAuth: false } },
});

const got = await agents.get(created.agentId);
const full = await agents.get(fullAgentId);
const page = await agents.list({ pageSize: 100 });
const updated = await agents.update(created.agentId, { name: "JS renamed" });
const duplicate = await agents.duplicate(created.agentId);
await agents.delete(created.agentId);
const afterDelete = await statusOf(agents.get(created.agentId));
const wrongKey = new ElevenLabsClient({ apiKey: "sk_wrong", baseUrl, maxRetries: 0 });
const unauthorised = await statusOf(wrongKey.conversationalAi.agents.list());

console.log(
  JSON.stringify({
    created: created.agentId,
    got: {
      agentId: got.agentId,
      name: got.name,
      firstMessage: got.conversationConfig.agent?.firstMessage,
      tool: got.conversationConfig.agent?.prompt?.tools?.[0]?.name,
      createdAt: got.metadata.createdAtUnixSecs,
    },
    full: {
      name: full.name,
      tools: full.conversationConfig.agent?.prompt?.tools?.map((tool) => tool.type),
      workflowNodes: Object.keys(full.workflow?.nodes ?? {}).sort(),
    },
    listed: page.agents.map((agent) => agent.agentId),
    hasMore: page.hasMore,
    updatedName: updated.name,
    duplicate: duplicate.agentId,
    afterDelete,
    unauthorised,
  }),
);
