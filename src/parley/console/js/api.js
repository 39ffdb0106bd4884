// The REST client: one fetch wrapper that sends the API key and turns error bodies into
// ApiError, whose `fields` lists 422 problems by path ("conversation_config.asr.quality").

const KEY = "parley.apiKey";

export const apiKey = {
  get: () => localStorage.getItem(KEY),
  set: (value) => localStorage.setItem(KEY, value.trim()),
  clear: () => localStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body?.detail;
    const message = Array.isArray(detail)
      ? `${detail.length} invalid field${detail.length === 1 ? "" : "s"}`
      : detail?.message ?? `HTTP ${status}`;
    super(message);
    this.status = status;
    this.code = Array.isArray(detail) ? "validation_error" : detail?.status;
    this.fields = Array.isArray(detail) ? detail.map(fieldError) : [];
  }
}

/** 422 items name their place as ["body", "conversation_config", "asr", ...]. */
function fieldError(item) {
  const loc = (item.loc ?? []).slice(item.loc?.[0] === "body" ? 1 : 0);
  return { path: loc.join("."), message: item.msg ?? "Invalid value" };
}

export async function request(method, path, body) {
  return (await exchange(method, path, body)).payload;
}

/** Create or update an agent: `{ agent, dropped }`, where `dropped` names the fields the server
 * left out (unknown or misspelt keys) from its X-Parley-Dropped-Fields header. */
async function saveAgent(method, path, document) {
  const { payload, headers } = await exchange(method, path, document);
  return { agent: payload, dropped: JSON.parse(headers.get("x-parley-dropped-fields") ?? "[]") };
}

async function exchange(method, path, body) {
  const headers = { "xi-api-key": apiKey.get() ?? "" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return { payload: null, headers: response.headers };
  const type = response.headers.get("content-type") ?? "";
  const payload = type.includes("json") ? await response.json() : await response.blob();
  if (!response.ok) throw new ApiError(response.status, type.includes("json") ? payload : null);
  return { payload, headers: response.headers };
}

export const api = {
  listAgents: (search = "") =>
    request("GET", `/v1/convai/agents?page_size=100${search ? `&search=${encodeURIComponent(search)}` : ""}`),
  getAgent: (id) => request("GET", `/v1/convai/agents/${encodeURIComponent(id)}`),
  createAgent: (document) => saveAgent("POST", "/v1/convai/agents/create", document),
  updateAgent: (id, document) => saveAgent("PATCH", `/v1/convai/agents/${encodeURIComponent(id)}`, document),
  configReport: (id) => request("GET", `/v1/parley/agents/${encodeURIComponent(id)}/config-report`),
  deleteAgent: (id) => request("DELETE", `/v1/convai/agents/${encodeURIComponent(id)}`),
  voices: () => request("GET", "/v1/voices"),
  voicePreview: (id) => request("GET", `/v1/voices/${encodeURIComponent(id)}/preview`),
  signedUrl: (agentId) =>
    request("GET", `/v1/convai/conversation/get-signed-url?agent_id=${encodeURIComponent(agentId)}`),
  /** filters: { agentId, after, before (unix seconds), excludeStatuses: [...] } */
  conversations: ({ agentId, after, before, excludeStatuses = [] } = {}, cursor) => {
    const query = new URLSearchParams({ page_size: "30" });
    if (agentId) query.set("agent_id", agentId);
    if (after !== undefined) query.set("call_start_after_unix", String(after));
    if (before !== undefined) query.set("call_start_before_unix", String(before));
    for (const status of excludeStatuses) query.append("exclude_statuses", status);
    if (cursor) query.set("cursor", cursor);
    return request("GET", `/v1/convai/conversations?${query}`);
  },
  conversation: (id) => request("GET", `/v1/convai/conversations/${encodeURIComponent(id)}`),
  conversationAudio: (id) => request("GET", `/v1/convai/conversations/${encodeURIComponent(id)}/audio`),
  serverInfo: () => request("GET", "/v1/parley/server"),
  apiKeys: () => request("GET", "/v1/parley/api-keys"),
  createApiKey: (name) => request("POST", "/v1/parley/api-keys", { name }),
  revokeApiKey: (id) => request("DELETE", `/v1/parley/api-keys/${encodeURIComponent(id)}`),
};
