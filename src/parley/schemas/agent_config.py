"""Agent config wire types, generated from the spec by scripts/generate_agent_config.py; do not edit."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union
from typing_extensions import TypeAliasType
from pydantic import BaseModel, Field


ASRQuality = TypeAliasType("ASRQuality", Literal["high"])


ASRProvider = TypeAliasType("ASRProvider", Literal["elevenlabs"])


ASRInputFormat = TypeAliasType(
    "ASRInputFormat",
    Literal[
        "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_44100", "pcm_48000", "ulaw_8000"
    ],
)


class ASRConversationalConfig(BaseModel):
    quality: ASRQuality | None = None
    provider: ASRProvider | None = None
    user_input_audio_format: ASRInputFormat | None = None
    keywords: list[str] | None = None


class SoftTimeoutConfig(BaseModel):
    timeout_seconds: float | None = None
    message: str | None = None


TurnEagerness = TypeAliasType("TurnEagerness", Literal["patient", "normal", "eager"])


class TurnConfig(BaseModel):
    turn_timeout: float | None = None
    initial_wait_time: float | None = None
    silence_end_call_timeout: float | None = None
    soft_timeout_config: SoftTimeoutConfig | None = None
    turn_eagerness: TurnEagerness | None = None


TTSConversationalModel = TypeAliasType(
    "TTSConversationalModel",
    Literal[
        "eleven_turbo_v2",
        "eleven_turbo_v2_5",
        "eleven_flash_v2",
        "eleven_flash_v2_5",
        "eleven_multilingual_v2",
        "eleven_expressive",
    ],
)


TTSModelFamily = TypeAliasType(
    "TTSModelFamily", Literal["turbo", "flash", "multilingual", "expressive"]
)


TTSOptimizeStreamingLatency = TypeAliasType(
    "TTSOptimizeStreamingLatency", Annotated[int, Field(ge=0, le=4)]
)


class SupportedVoice(BaseModel):
    label: str
    voice_id: str
    description: str | None = None
    language: str | None = None
    model_family: TTSModelFamily | None = None
    optimize_streaming_latency: TTSOptimizeStreamingLatency | None = None
    stability: float | None = None
    speed: float | None = None
    similarity_boost: float | None = None


TTSOutputFormat = TypeAliasType(
    "TTSOutputFormat",
    Literal[
        "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_44100", "pcm_48000", "ulaw_8000"
    ],
)


class PydanticPronunciationDictionaryVersionLocator(BaseModel):
    pronunciation_dictionary_id: str
    version_id: str | None


class TTSConversationalConfigInput(BaseModel):
    model_id: TTSConversationalModel | None = None
    voice_id: str | None = None
    supported_voices: list[SupportedVoice] | None = None
    agent_output_audio_format: TTSOutputFormat | None = None
    optimize_streaming_latency: TTSOptimizeStreamingLatency | None = None
    stability: float | None = None
    speed: float | None = None
    similarity_boost: float | None = None
    pronunciation_dictionary_locators: (
        list[PydanticPronunciationDictionaryVersionLocator] | None
    ) = None


ClientEvent = TypeAliasType(
    "ClientEvent",
    Literal[
        "conversation_initiation_metadata",
        "asr_initiation_metadata",
        "ping",
        "audio",
        "interruption",
        "user_transcript",
        "tentative_user_transcript",
        "agent_response",
        "agent_response_correction",
        "client_tool_call",
        "mcp_tool_call",
        "mcp_connection_status",
        "agent_tool_response",
        "vad_score",
        "agent_chat_response_part",
        "internal_turn_probability",
        "internal_tentative_agent_response",
    ],
)


class ConversationConfig(BaseModel):
    text_only: bool | None = None
    max_duration_seconds: int | None = None
    client_events: list[ClientEvent] | None = None


class SoftTimeoutConfigOverride(BaseModel):
    message: str | None = None


class TurnConfigOverride(BaseModel):
    soft_timeout_config: SoftTimeoutConfigOverride | None = None


class TTSConversationalConfigOverride(BaseModel):
    voice_id: str | None = None
    stability: float | None = None
    speed: float | None = None
    similarity_boost: float | None = None


class ConversationConfigOverride(BaseModel):
    text_only: bool | None = None


LLM = TypeAliasType(
    "LLM",
    Literal[
        "gpt-4o-mini",
        "gpt-4o",
        "gpt-4",
        "gpt-4-turbo",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4.1-nano",
        "gpt-5",
        "gpt-5-mini",
        "gpt-5-nano",
        "gpt-3.5-turbo",
        "gemini-1.5-pro",
        "gemini-1.5-flash",
        "gemini-2.0-flash",
        "gemini-2.0-flash-lite",
        "gemini-2.5-flash-lite",
        "gemini-2.5-flash",
        "claude-sonnet-4-5",
        "claude-sonnet-4",
        "claude-haiku-4-5",
        "claude-3-7-sonnet",
        "claude-3-5-sonnet",
        "claude-3-5-sonnet-v1",
        "claude-3-haiku",
        "grok-beta",
        "custom-llm",
        "qwen3-4b",
        "qwen3-30b-a3b",
        "gpt-oss-20b",
        "gpt-oss-120b",
        "glm-45-air-fp8",
        "gemini-2.5-flash-preview-09-2025",
        "gemini-2.5-flash-lite-preview-09-2025",
        "gemini-2.5-flash-preview-05-20",
        "gemini-2.5-flash-preview-04-17",
        "gemini-2.5-flash-lite-preview-06-17",
        "gemini-2.0-flash-lite-001",
        "gemini-2.0-flash-001",
        "gemini-1.5-flash-002",
        "gemini-1.5-flash-001",
        "gemini-1.5-pro-002",
        "gemini-1.5-pro-001",
        "claude-sonnet-4@20250514",
        "claude-sonnet-4-5@20250929",
        "claude-haiku-4-5@20251001",
        "claude-3-7-sonnet@20250219",
        "claude-3-5-sonnet@20240620",
        "claude-3-5-sonnet-v2@20241022",
        "claude-3-haiku@20240307",
        "gpt-5-2025-08-07",
        "gpt-5-mini-2025-08-07",
        "gpt-5-nano-2025-08-07",
        "gpt-4.1-2025-04-14",
        "gpt-4.1-mini-2025-04-14",
        "gpt-4.1-nano-2025-04-14",
        "gpt-4o-mini-2024-07-18",
        "gpt-4o-2024-11-20",
        "gpt-4o-2024-08-06",
        "gpt-4o-2024-05-13",
        "gpt-4-0613",
        "gpt-4-0314",
        "gpt-4-turbo-2024-04-09",
        "gpt-3.5-turbo-0125",
        "gpt-3.5-turbo-1106",
        "watt-tool-8b",
        "watt-tool-70b",
    ],
)


class PromptAgentAPIModelOverride(BaseModel):
    prompt: str | None = None
    llm: LLM | None = None
    native_mcp_server_ids: list[str] | None = None


class AgentConfigOverrideInput(BaseModel):
    first_message: str | None = None
    language: str | None = None
    prompt: PromptAgentAPIModelOverride | None = None


class ConversationConfigClientOverrideInput(BaseModel):
    turn: TurnConfigOverride | None = None
    tts: TTSConversationalConfigOverride | None = None
    conversation: ConversationConfigOverride | None = None
    agent: AgentConfigOverrideInput | None = None


class LanguagePresetTranslation(BaseModel):
    source_hash: str
    text: str


class LanguagePresetInput(BaseModel):
    overrides: ConversationConfigClientOverrideInput
    first_message_translation: LanguagePresetTranslation | None = None
    soft_timeout_translation: LanguagePresetTranslation | None = None


class VADConfig(BaseModel):
    pass


DynamicVariablesConfigDynamicVariablePlaceholders = TypeAliasType(
    "DynamicVariablesConfigDynamicVariablePlaceholders", str | float | int | bool
)


class DynamicVariablesConfig(BaseModel):
    dynamic_variable_placeholders: (
        dict[str, DynamicVariablesConfigDynamicVariablePlaceholders] | None
    ) = None


LLMReasoningEffort = TypeAliasType(
    "LLMReasoningEffort", Literal["minimal", "low", "medium", "high"]
)


class DynamicVariableAssignment(BaseModel):
    source: Literal["response"] | None = None
    dynamic_variable: str
    value_path: str


ToolCallSoundType = TypeAliasType(
    "ToolCallSoundType", Literal["typing", "elevator1", "elevator2", "elevator3", "elevator4"]
)


ToolCallSoundBehavior = TypeAliasType("ToolCallSoundBehavior", Literal["auto", "always"])


class EndCallToolConfig(BaseModel):
    system_tool_type: Literal["end_call"] | None = None


class LanguageDetectionToolConfig(BaseModel):
    system_tool_type: Literal["language_detection"] | None = None


class AgentTransfer(BaseModel):
    agent_id: str
    condition: str
    delay_ms: int | None = None
    transfer_message: str | None = None
    enable_transferred_agent_first_message: bool | None = None


class TransferToAgentToolConfig(BaseModel):
    system_tool_type: Literal["transfer_to_agent"] | None = None
    transfers: list[AgentTransfer]


class PhoneNumberTransferDestination(BaseModel):
    type: Literal["phone"] = "phone"
    phone_number: str


class SIPUriTransferDestination(BaseModel):
    type: Literal["sip_uri"] = "sip_uri"
    sip_uri: str


class PhoneNumberDynamicVariableTransferDestination(BaseModel):
    type: Literal["phone_dynamic_variable"] = "phone_dynamic_variable"
    phone_number: str


class SIPUriDynamicVariableTransferDestination(BaseModel):
    type: Literal["sip_uri_dynamic_variable"] = "sip_uri_dynamic_variable"
    sip_uri: str


PhoneNumberTransferTransferDestination = TypeAliasType(
    "PhoneNumberTransferTransferDestination",
    Annotated[
        PhoneNumberTransferDestination
        | SIPUriTransferDestination
        | PhoneNumberDynamicVariableTransferDestination
        | SIPUriDynamicVariableTransferDestination,
        Field(discriminator="type"),
    ],
)


TransferTypeEnum = TypeAliasType("TransferTypeEnum", Literal["conference", "sip_refer"])


class PhoneNumberTransfer(BaseModel):
    transfer_destination: PhoneNumberTransferTransferDestination | None = None
    phone_number: str | None = None
    condition: str
    transfer_type: TransferTypeEnum | None = None


class TransferToNumberToolConfigInput(BaseModel):
    system_tool_type: Literal["transfer_to_number"] | None = None
    transfers: list[PhoneNumberTransfer]
    enable_client_message: bool | None = None


class SkipTurnToolConfig(BaseModel):
    system_tool_type: Literal["skip_turn"] | None = None


class PlayDTMFToolConfig(BaseModel):
    system_tool_type: Literal["play_keypad_touch_tone"] | None = None


class VoicemailDetectionToolConfig(BaseModel):
    system_tool_type: Literal["voicemail_detection"] | None = None
    voicemail_message: str | None = None


SystemToolConfigInputParams = TypeAliasType(
    "SystemToolConfigInputParams",
    EndCallToolConfig
    | LanguageDetectionToolConfig
    | TransferToAgentToolConfig
    | TransferToNumberToolConfigInput
    | SkipTurnToolConfig
    | PlayDTMFToolConfig
    | VoicemailDetectionToolConfig,
)


class SystemToolConfigInput(BaseModel):
    type: Literal["system"] = "system"
    name: str
    description: str | None = None
    response_timeout_secs: int | None = None
    disable_interruptions: bool | None = None
    force_pre_tool_speech: bool | None = None
    assignments: list[DynamicVariableAssignment] | None = None
    tool_call_sound: ToolCallSoundType | None = None
    tool_call_sound_behavior: ToolCallSoundBehavior | None = None
    params: SystemToolConfigInputParams


class BuiltInToolsInput(BaseModel):
    end_call: SystemToolConfigInput | None = None
    language_detection: SystemToolConfigInput | None = None
    transfer_to_agent: SystemToolConfigInput | None = None
    transfer_to_number: SystemToolConfigInput | None = None
    skip_turn: SystemToolConfigInput | None = None
    play_keypad_touch_tone: SystemToolConfigInput | None = None
    voicemail_detection: SystemToolConfigInput | None = None


KnowledgeBaseDocumentType = TypeAliasType(
    "KnowledgeBaseDocumentType", Literal["file", "url", "text"]
)


DocumentUsageModeEnum = TypeAliasType("DocumentUsageModeEnum", Literal["prompt", "auto"])


class KnowledgeBaseLocator(BaseModel):
    type: KnowledgeBaseDocumentType
    name: str
    id: str
    usage_mode: DocumentUsageModeEnum | None = None


class ConvAISecretLocator(BaseModel):
    secret_id: str


class ConvAIDynamicVariable(BaseModel):
    variable_name: str


CustomLlmRequestHeaders = TypeAliasType(
    "CustomLlmRequestHeaders", str | ConvAISecretLocator | ConvAIDynamicVariable
)


class CustomLLM(BaseModel):
    url: str
    model_id: str | None = None
    api_key: ConvAISecretLocator | None = None
    request_headers: dict[str, CustomLlmRequestHeaders] | None = None
    api_version: str | None = None


EmbeddingModelEnum = TypeAliasType(
    "EmbeddingModelEnum", Literal["e5_mistral_7b_instruct", "multilingual_e5_large_instruct"]
)


class RagConfig(BaseModel):
    enabled: bool | None = None
    embedding_model: EmbeddingModelEnum | None = None
    max_vector_distance: float | None = None
    max_documents_length: int | None = None
    max_retrieved_rag_chunks_count: int | None = None


class BackupLLMDefault(BaseModel):
    preference: Literal["default"] | None = None


class BackupLLMDisabled(BaseModel):
    preference: Literal["disabled"] | None = None


class BackupLLMOverride(BaseModel):
    preference: Literal["override"] | None = None
    order: list[LLM]


PromptAgentApiModelInputBackupLlmConfig = TypeAliasType(
    "PromptAgentApiModelInputBackupLlmConfig",
    BackupLLMDefault | BackupLLMDisabled | BackupLLMOverride,
)


ToolExecutionMode = TypeAliasType(
    "ToolExecutionMode", Literal["immediate", "post_tool_speech", "async"]
)


WebhookToolApiSchemaConfigInputMethod = TypeAliasType(
    "WebhookToolApiSchemaConfigInputMethod", Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
)


LiteralJsonSchemaPropertyType = TypeAliasType(
    "LiteralJsonSchemaPropertyType", Literal["boolean", "string", "integer", "number"]
)


LiteralJsonSchemaPropertyConstantValue = TypeAliasType(
    "LiteralJsonSchemaPropertyConstantValue", str | int | float | bool
)


class LiteralJsonSchemaProperty(BaseModel):
    type: LiteralJsonSchemaPropertyType
    description: str | None = None
    enum: list[str] | None = None
    is_system_provided: bool | None = None
    dynamic_variable: str | None = None
    constant_value: LiteralJsonSchemaPropertyConstantValue | None = None


class QueryParamsJsonSchema(BaseModel):
    properties: dict[str, LiteralJsonSchemaProperty]
    required: list[str] | None = None


WebhookToolApiSchemaConfigInputRequestHeaders = TypeAliasType(
    "WebhookToolApiSchemaConfigInputRequestHeaders",
    str | ConvAISecretLocator | ConvAIDynamicVariable,
)


class AuthConnectionLocator(BaseModel):
    auth_connection_id: str


LiteralOverrideConstantValue = TypeAliasType(
    "LiteralOverrideConstantValue", str | int | float | bool
)


class LiteralOverride(BaseModel):
    description: str | None = None
    dynamic_variable: str | None = None
    constant_value: LiteralOverrideConstantValue | None = None


class QueryOverride(BaseModel):
    properties: dict[str, Any] | None = None
    required: list[str] | None = None


class ObjectOverrideInput(BaseModel):
    description: str | None = None
    properties: dict[str, Any] | None = None
    required: list[str] | None = None


ApiIntegrationWebhookOverridesInputRequestHeaders = TypeAliasType(
    "ApiIntegrationWebhookOverridesInputRequestHeaders", str | ConvAIDynamicVariable
)


class ApiIntegrationWebhookOverridesInput(BaseModel):
    path_params_schema: dict[str, Any] | None = None
    query_params_schema: QueryOverride | None = None
    request_body_schema: ObjectOverrideInput | None = None
    request_headers: dict[str, Any] | None = None


class ApiIntegrationWebhookToolConfigInput(BaseModel):
    type: Literal["api_integration_webhook"] = "api_integration_webhook"
    name: str
    description: str
    response_timeout_secs: int | None = None
    disable_interruptions: bool | None = None
    force_pre_tool_speech: bool | None = None
    assignments: list[DynamicVariableAssignment] | None = None
    tool_call_sound: ToolCallSoundType | None = None
    tool_call_sound_behavior: ToolCallSoundBehavior | None = None
    dynamic_variables: DynamicVariablesConfig | None = None
    execution_mode: ToolExecutionMode | None = None
    tool_version: str | None = None
    api_integration_id: str
    api_integration_connection_id: str
    api_schema_overrides: ApiIntegrationWebhookOverridesInput | None = None


class PromptEvaluationCriteria(BaseModel):
    id: str
    name: str
    type: Literal["prompt"] | None = None
    conversation_goal_prompt: str
    use_knowledge_base: bool | None = None


class EvaluationSettings(BaseModel):
    criteria: list[PromptEvaluationCriteria] | None = None


EmbedVariant = TypeAliasType("EmbedVariant", Literal["tiny", "compact", "full", "expandable"])


WidgetPlacement = TypeAliasType(
    "WidgetPlacement",
    Literal["top-left", "top", "top-right", "bottom-left", "bottom", "bottom-right"],
)


WidgetExpandable = TypeAliasType(
    "WidgetExpandable", Literal["never", "mobile", "desktop", "always"]
)


class OrbAvatar(BaseModel):
    type: Literal["orb"] = "orb"
    color_1: str | None = None
    color_2: str | None = None


class URLAvatar(BaseModel):
    type: Literal["url"] = "url"
    custom_url: str | None = None


class ImageAvatar(BaseModel):
    type: Literal["image"] = "image"
    url: str | None = None


WidgetConfigInputAvatar = TypeAliasType(
    "WidgetConfigInputAvatar",
    Annotated[OrbAvatar | URLAvatar | ImageAvatar, Field(discriminator="type")],
)


WidgetFeedbackMode = TypeAliasType("WidgetFeedbackMode", Literal["none", "during", "end"])


WidgetEndFeedbackType = TypeAliasType("WidgetEndFeedbackType", Literal["rating"])


class WidgetEndFeedbackConfig(BaseModel):
    type: WidgetEndFeedbackType | None = None


class WidgetTextContents(BaseModel):
    main_label: str | None = None
    start_call: str | None = None
    start_chat: str | None = None
    new_call: str | None = None
    end_call: str | None = None
    mute_microphone: str | None = None
    change_language: str | None = None
    collapse: str | None = None
    expand: str | None = None
    copied: str | None = None
    accept_terms: str | None = None
    dismiss_terms: str | None = None
    listening_status: str | None = None
    speaking_status: str | None = None
    connecting_status: str | None = None
    chatting_status: str | None = None
    input_label: str | None = None
    input_placeholder: str | None = None
    input_placeholder_text_only: str | None = None
    input_placeholder_new_conversation: str | None = None
    user_ended_conversation: str | None = None
    agent_ended_conversation: str | None = None
    conversation_id: str | None = None
    error_occurred: str | None = None
    copy_id: str | None = None


class WidgetStyles(BaseModel):
    base: str | None = None
    base_hover: str | None = None
    base_active: str | None = None
    base_border: str | None = None
    base_subtle: str | None = None
    base_primary: str | None = None
    base_error: str | None = None
    accent: str | None = None
    accent_hover: str | None = None
    accent_active: str | None = None
    accent_border: str | None = None
    accent_subtle: str | None = None
    accent_primary: str | None = None
    overlay_padding: float | None = None
    button_radius: float | None = None
    input_radius: float | None = None
    bubble_radius: float | None = None
    sheet_radius: float | None = None
    compact_sheet_radius: float | None = None
    dropdown_sheet_radius: float | None = None


class WidgetLanguagePreset(BaseModel):
    text_contents: WidgetTextContents | None = None


class WidgetConfigInput(BaseModel):
    variant: EmbedVariant | None = None
    placement: WidgetPlacement | None = None
    expandable: WidgetExpandable | None = None
    avatar: WidgetConfigInputAvatar | None = None
    feedback_mode: WidgetFeedbackMode | None = None
    end_feedback: WidgetEndFeedbackConfig | None = None
    bg_color: str | None = None
    text_color: str | None = None
    btn_color: str | None = None
    btn_text_color: str | None = None
    border_color: str | None = None
    focus_color: str | None = None
    border_radius: int | None = None
    btn_radius: int | None = None
    action_text: str | None = None
    start_call_text: str | None = None
    end_call_text: str | None = None
    expand_text: str | None = None
    listening_text: str | None = None
    speaking_text: str | None = None
    shareable_page_text: str | None = None
    shareable_page_show_terms: bool | None = None
    terms_text: str | None = None
    terms_html: str | None = None
    terms_key: str | None = None
    show_avatar_when_collapsed: bool | None = None
    disable_banner: bool | None = None
    override_link: str | None = None
    mic_muting_enabled: bool | None = None
    transcript_enabled: bool | None = None
    text_input_enabled: bool | None = None
    default_expanded: bool | None = None
    always_expanded: bool | None = None
    text_contents: WidgetTextContents | None = None
    styles: WidgetStyles | None = None
    language_selector: bool | None = None
    supports_text_only: bool | None = None
    custom_avatar_path: str | None = None
    language_presets: dict[str, WidgetLanguagePreset] | None = None


class SoftTimeoutConfigOverrideConfig(BaseModel):
    message: bool | None = None


class TurnConfigOverrideConfig(BaseModel):
    soft_timeout_config: SoftTimeoutConfigOverrideConfig | None = None


class TTSConversationalConfigOverrideConfig(BaseModel):
    voice_id: bool | None = None
    stability: bool | None = None
    speed: bool | None = None
    similarity_boost: bool | None = None


class ConversationConfigOverrideConfig(BaseModel):
    text_only: bool | None = None


class PromptAgentAPIModelOverrideConfig(BaseModel):
    prompt: bool | None = None
    llm: bool | None = None
    native_mcp_server_ids: bool | None = None


class AgentConfigOverrideConfig(BaseModel):
    first_message: bool | None = None
    language: bool | None = None
    prompt: PromptAgentAPIModelOverrideConfig | None = None


class ConversationConfigClientOverrideConfigInput(BaseModel):
    turn: TurnConfigOverrideConfig | None = None
    tts: TTSConversationalConfigOverrideConfig | None = None
    conversation: ConversationConfigOverrideConfig | None = None
    agent: AgentConfigOverrideConfig | None = None


class ConversationInitiationClientDataConfigInput(BaseModel):
    conversation_config_override: ConversationConfigClientOverrideConfigInput | None = None
    custom_llm_extra_body: bool | None = None
    enable_conversation_initiation_client_data_from_webhook: bool | None = None


ConversationInitiationClientDataWebhookRequestHeaders = TypeAliasType(
    "ConversationInitiationClientDataWebhookRequestHeaders", str | ConvAISecretLocator
)


class ConversationInitiationClientDataWebhook(BaseModel):
    url: str
    request_headers: dict[str, ConversationInitiationClientDataWebhookRequestHeaders]


WebhookEventType = TypeAliasType(
    "WebhookEventType", Literal["transcript", "audio", "call_initiation_failure"]
)


class ConvAIWebhooks(BaseModel):
    post_call_webhook_id: str | None = None
    events: list[WebhookEventType] | None = None
    send_audio: bool | None = None


class AgentWorkspaceOverridesInput(BaseModel):
    conversation_initiation_client_data_webhook: ConversationInitiationClientDataWebhook | None = (
        None
    )
    webhooks: ConvAIWebhooks | None = None


class AttachedTestModel(BaseModel):
    test_id: str
    workflow_node_id: str | None = None


class AgentTestingSettings(BaseModel):
    attached_tests: list[AttachedTestModel] | None = None


class AllowlistItem(BaseModel):
    hostname: str


class AuthSettings(BaseModel):
    enable_auth: bool | None = None
    allowlist: list[AllowlistItem] | None = None
    shareable_token: str | None = None
    require_origin_header: bool | None = None


class AgentCallLimits(BaseModel):
    agent_concurrency_limit: int | None = None
    daily_limit: int | None = None
    bursting_enabled: bool | None = None


class PrivacyConfig(BaseModel):
    record_voice: bool | None = None
    retention_days: int | None = None
    delete_transcript_and_pii: bool | None = None
    delete_audio: bool | None = None
    apply_to_existing_conversations: bool | None = None
    zero_retention_mode: bool | None = None


class AgentPlatformSettingsRequestModel(BaseModel):
    evaluation: EvaluationSettings | None = None
    widget: WidgetConfigInput | None = None
    data_collection: dict[str, LiteralJsonSchemaProperty] | None = None
    overrides: ConversationInitiationClientDataConfigInput | None = None
    workspace_overrides: AgentWorkspaceOverridesInput | None = None
    testing: AgentTestingSettings | None = None
    archived: bool | None = None
    auth: AuthSettings | None = None
    call_limits: AgentCallLimits | None = None
    privacy: PrivacyConfig | None = None


class WorkflowUnconditionalModelInput(BaseModel):
    label: str | None = None
    type: Literal["unconditional"] = "unconditional"


class WorkflowLLMConditionModelInput(BaseModel):
    label: str | None = None
    type: Literal["llm"] = "llm"
    condition: str


class WorkflowResultConditionModelInput(BaseModel):
    label: str | None = None
    type: Literal["result"] = "result"
    successful: bool


class ASTStringNodeInput(BaseModel):
    type: Literal["string_literal"] = "string_literal"
    value: str


class ASTNumberNodeInput(BaseModel):
    type: Literal["number_literal"] = "number_literal"
    value: float


class ASTBooleanNodeInput(BaseModel):
    type: Literal["boolean_literal"] = "boolean_literal"
    value: bool


class ASTLLMNodeInput(BaseModel):
    type: Literal["llm"] = "llm"
    prompt: str


class ASTDynamicVariableNodeInput(BaseModel):
    type: Literal["dynamic_variable"] = "dynamic_variable"
    name: str


class PositionInput(BaseModel):
    x: float | None = None
    y: float | None = None


class WorkflowStartNodeModelInput(BaseModel):
    type: Literal["start"] = "start"
    position: PositionInput | None = None
    edge_order: list[str] | None = None


class WorkflowEndNodeModelInput(BaseModel):
    type: Literal["end"] = "end"
    position: PositionInput | None = None
    edge_order: list[str] | None = None


WorkflowPhoneNumberNodeModelInputTransferDestination = TypeAliasType(
    "WorkflowPhoneNumberNodeModelInputTransferDestination",
    Annotated[
        PhoneNumberTransferDestination
        | SIPUriTransferDestination
        | PhoneNumberDynamicVariableTransferDestination
        | SIPUriDynamicVariableTransferDestination,
        Field(discriminator="type"),
    ],
)


class WorkflowPhoneNumberNodeModelInput(BaseModel):
    type: Literal["phone_number"] = "phone_number"
    position: PositionInput | None = None
    edge_order: list[str] | None = None
    transfer_destination: WorkflowPhoneNumberNodeModelInputTransferDestination
    transfer_type: TransferTypeEnum | None = None


class ASRConversationalConfigWorkflowOverride(BaseModel):
    quality: ASRQuality | None = None
    provider: ASRProvider | None = None
    user_input_audio_format: ASRInputFormat | None = None
    keywords: list[str] | None = None


class SoftTimeoutConfigWorkflowOverride(BaseModel):
    timeout_seconds: float | None = None
    message: str | None = None


class TurnConfigWorkflowOverride(BaseModel):
    turn_timeout: float | None = None
    initial_wait_time: float | None = None
    silence_end_call_timeout: float | None = None
    soft_timeout_config: SoftTimeoutConfigWorkflowOverride | None = None
    turn_eagerness: TurnEagerness | None = None


class TTSConversationalConfigWorkflowOverrideInput(BaseModel):
    model_id: TTSConversationalModel | None = None
    voice_id: str | None = None
    supported_voices: list[SupportedVoice] | None = None
    agent_output_audio_format: TTSOutputFormat | None = None
    optimize_streaming_latency: TTSOptimizeStreamingLatency | None = None
    stability: float | None = None
    speed: float | None = None
    similarity_boost: float | None = None
    pronunciation_dictionary_locators: (
        list[PydanticPronunciationDictionaryVersionLocator] | None
    ) = None


class ConversationConfigWorkflowOverride(BaseModel):
    text_only: bool | None = None
    max_duration_seconds: int | None = None
    client_events: list[ClientEvent] | None = None


class VADConfigWorkflowOverride(BaseModel):
    pass


DynamicVariablesConfigWorkflowOverrideDynamicVariablePlaceholders = TypeAliasType(
    "DynamicVariablesConfigWorkflowOverrideDynamicVariablePlaceholders", str | float | int | bool
)


class DynamicVariablesConfigWorkflowOverride(BaseModel):
    dynamic_variable_placeholders: dict[str, Any] | None = None


class BuiltInToolsWorkflowOverrideInput(BaseModel):
    end_call: SystemToolConfigInput | None = None
    language_detection: SystemToolConfigInput | None = None
    transfer_to_agent: SystemToolConfigInput | None = None
    transfer_to_number: SystemToolConfigInput | None = None
    skip_turn: SystemToolConfigInput | None = None
    play_keypad_touch_tone: SystemToolConfigInput | None = None
    voicemail_detection: SystemToolConfigInput | None = None


class RagConfigWorkflowOverride(BaseModel):
    enabled: bool | None = None
    embedding_model: EmbeddingModelEnum | None = None
    max_vector_distance: float | None = None
    max_documents_length: int | None = None
    max_retrieved_rag_chunks_count: int | None = None


PromptAgentApiModelWorkflowOverrideInputBackupLlmConfig = TypeAliasType(
    "PromptAgentApiModelWorkflowOverrideInputBackupLlmConfig",
    BackupLLMDefault | BackupLLMDisabled | BackupLLMOverride,
)


class WorkflowStandaloneAgentNodeModelInput(BaseModel):
    type: Literal["standalone_agent"] = "standalone_agent"
    position: PositionInput | None = None
    edge_order: list[str] | None = None
    agent_id: str
    delay_ms: int | None = None
    transfer_message: str | None = None
    enable_transferred_agent_first_message: bool | None = None


class WorkflowToolLocator(BaseModel):
    tool_id: str


class WorkflowToolNodeModelInput(BaseModel):
    type: Literal["tool"] = "tool"
    position: PositionInput | None = None
    edge_order: list[str] | None = None
    tools: list[WorkflowToolLocator] | None = None


class CreateAgentResponseModel(BaseModel):
    agent_id: str


ObjectOverrideInputModel = TypeAliasType(
    "ObjectOverrideInputModel", LiteralOverride | ObjectOverrideInput
)


ArrayJsonSchemaPropertyInputItems = TypeAliasType(
    "ArrayJsonSchemaPropertyInputItems",
    Union[
        LiteralJsonSchemaProperty, "ObjectJsonSchemaPropertyInput", "ArrayJsonSchemaPropertyInput"
    ],
)


class ArrayJsonSchemaPropertyInput(BaseModel):
    type: Literal["array"] | None = None
    description: str | None = None
    items: ArrayJsonSchemaPropertyInputItems


ObjectJsonSchemaPropertyInput1 = TypeAliasType(
    "ObjectJsonSchemaPropertyInput1",
    Union[LiteralJsonSchemaProperty, "ObjectJsonSchemaPropertyInput", ArrayJsonSchemaPropertyInput],
)


class ObjectJsonSchemaPropertyInput(BaseModel):
    type: Literal["object"] | None = None
    required: list[str] | None = None
    description: str | None = None
    properties: dict[str, ObjectJsonSchemaPropertyInput1] | None = None


class WebhookToolApiSchemaConfigInput(BaseModel):
    url: str
    method: WebhookToolApiSchemaConfigInputMethod | None = None
    path_params_schema: dict[str, LiteralJsonSchemaProperty] | None = None
    query_params_schema: QueryParamsJsonSchema | None = None
    request_body_schema: ObjectJsonSchemaPropertyInput | None = None
    request_headers: dict[str, WebhookToolApiSchemaConfigInputRequestHeaders] | None = None
    auth_connection: AuthConnectionLocator | None = None


class WebhookToolConfigInput(BaseModel):
    type: Literal["webhook"] = "webhook"
    name: str
    description: str
    response_timeout_secs: int | None = None
    disable_interruptions: bool | None = None
    force_pre_tool_speech: bool | None = None
    assignments: list[DynamicVariableAssignment] | None = None
    tool_call_sound: ToolCallSoundType | None = None
    tool_call_sound_behavior: ToolCallSoundBehavior | None = None
    dynamic_variables: DynamicVariablesConfig | None = None
    execution_mode: ToolExecutionMode | None = None
    api_schema: WebhookToolApiSchemaConfigInput


class ClientToolConfigInput(BaseModel):
    type: Literal["client"] = "client"
    name: str
    description: str
    response_timeout_secs: int | None = None
    disable_interruptions: bool | None = None
    force_pre_tool_speech: bool | None = None
    assignments: list[DynamicVariableAssignment] | None = None
    tool_call_sound: ToolCallSoundType | None = None
    tool_call_sound_behavior: ToolCallSoundBehavior | None = None
    parameters: ObjectJsonSchemaPropertyInput | None = None
    expects_response: bool | None = None
    dynamic_variables: DynamicVariablesConfig | None = None
    execution_mode: ToolExecutionMode | None = None


PromptAgentApiModelInputToolsItems = TypeAliasType(
    "PromptAgentApiModelInputToolsItems",
    Annotated[
        WebhookToolConfigInput
        | ClientToolConfigInput
        | SystemToolConfigInput
        | ApiIntegrationWebhookToolConfigInput,
        Field(discriminator="type"),
    ],
)


class PromptAgentAPIModelInput(BaseModel):
    prompt: str | None = None
    llm: LLM | None = None
    reasoning_effort: LLMReasoningEffort | None = None
    thinking_budget: int | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    tool_ids: list[str] | None = None
    built_in_tools: BuiltInToolsInput | None = None
    mcp_server_ids: list[str] | None = None
    native_mcp_server_ids: list[str] | None = None
    knowledge_base: list[KnowledgeBaseLocator] | None = None
    custom_llm: CustomLLM | None = None
    ignore_default_personality: bool | None = None
    rag: RagConfig | None = None
    timezone: str | None = None
    backup_llm_config: PromptAgentApiModelInputBackupLlmConfig | None = None
    tools: list[PromptAgentApiModelInputToolsItems] | None = None


class AgentConfigAPIModelInput(BaseModel):
    first_message: str | None = None
    language: str | None = None
    dynamic_variables: DynamicVariablesConfig | None = None
    disable_first_message_interruptions: bool | None = None
    prompt: PromptAgentAPIModelInput | None = None


class ConversationalConfigAPIModelInput(BaseModel):
    asr: ASRConversationalConfig | None = None
    turn: TurnConfig | None = None
    tts: TTSConversationalConfigInput | None = None
    conversation: ConversationConfig | None = None
    language_presets: dict[str, LanguagePresetInput] | None = None
    vad: VADConfig | None = None
    agent: AgentConfigAPIModelInput | None = None


AstLessThanOrEqualsOperatorNodeInputLeft = TypeAliasType(
    "AstLessThanOrEqualsOperatorNodeInputLeft",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            "ASTEqualsOperatorNodeInput",
            "ASTNotEqualsOperatorNodeInput",
            "ASTGreaterThanOperatorNodeInput",
            "ASTLessThanOperatorNodeInput",
            "ASTGreaterThanOrEqualsOperatorNodeInput",
            "ASTLessThanOrEqualsOperatorNodeInput",
        ],
        Field(discriminator="type"),
    ],
)


AstLessThanOrEqualsOperatorNodeInputRight = TypeAliasType(
    "AstLessThanOrEqualsOperatorNodeInputRight",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            "ASTEqualsOperatorNodeInput",
            "ASTNotEqualsOperatorNodeInput",
            "ASTGreaterThanOperatorNodeInput",
            "ASTLessThanOperatorNodeInput",
            "ASTGreaterThanOrEqualsOperatorNodeInput",
            "ASTLessThanOrEqualsOperatorNodeInput",
        ],
        Field(discriminator="type"),
    ],
)


class ASTLessThanOrEqualsOperatorNodeInput(BaseModel):
    type: Literal["lte_operator"] = "lte_operator"
    left: AstLessThanOrEqualsOperatorNodeInputLeft
    right: AstLessThanOrEqualsOperatorNodeInputRight


AstGreaterThanOrEqualsOperatorNodeInputLeft = TypeAliasType(
    "AstGreaterThanOrEqualsOperatorNodeInputLeft",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            "ASTEqualsOperatorNodeInput",
            "ASTNotEqualsOperatorNodeInput",
            "ASTGreaterThanOperatorNodeInput",
            "ASTLessThanOperatorNodeInput",
            "ASTGreaterThanOrEqualsOperatorNodeInput",
            ASTLessThanOrEqualsOperatorNodeInput,
        ],
        Field(discriminator="type"),
    ],
)


AstGreaterThanOrEqualsOperatorNodeInputRight = TypeAliasType(
    "AstGreaterThanOrEqualsOperatorNodeInputRight",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            "ASTEqualsOperatorNodeInput",
            "ASTNotEqualsOperatorNodeInput",
            "ASTGreaterThanOperatorNodeInput",
            "ASTLessThanOperatorNodeInput",
            "ASTGreaterThanOrEqualsOperatorNodeInput",
            ASTLessThanOrEqualsOperatorNodeInput,
        ],
        Field(discriminator="type"),
    ],
)


class ASTGreaterThanOrEqualsOperatorNodeInput(BaseModel):
    type: Literal["gte_operator"] = "gte_operator"
    left: AstGreaterThanOrEqualsOperatorNodeInputLeft
    right: AstGreaterThanOrEqualsOperatorNodeInputRight


AstLessThanOperatorNodeInputLeft = TypeAliasType(
    "AstLessThanOperatorNodeInputLeft",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            "ASTEqualsOperatorNodeInput",
            "ASTNotEqualsOperatorNodeInput",
            "ASTGreaterThanOperatorNodeInput",
            "ASTLessThanOperatorNodeInput",
            ASTGreaterThanOrEqualsOperatorNodeInput,
            ASTLessThanOrEqualsOperatorNodeInput,
        ],
        Field(discriminator="type"),
    ],
)


AstLessThanOperatorNodeInputRight = TypeAliasType(
    "AstLessThanOperatorNodeInputRight",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            "ASTEqualsOperatorNodeInput",
            "ASTNotEqualsOperatorNodeInput",
            "ASTGreaterThanOperatorNodeInput",
            "ASTLessThanOperatorNodeInput",
            ASTGreaterThanOrEqualsOperatorNodeInput,
            ASTLessThanOrEqualsOperatorNodeInput,
        ],
        Field(discriminator="type"),
    ],
)


class ASTLessThanOperatorNodeInput(BaseModel):
    type: Literal["lt_operator"] = "lt_operator"
    left: AstLessThanOperatorNodeInputLeft
    right: AstLessThanOperatorNodeInputRight


AstGreaterThanOperatorNodeInputLeft = TypeAliasType(
    "AstGreaterThanOperatorNodeInputLeft",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            "ASTEqualsOperatorNodeInput",
            "ASTNotEqualsOperatorNodeInput",
            "ASTGreaterThanOperatorNodeInput",
            ASTLessThanOperatorNodeInput,
            ASTGreaterThanOrEqualsOperatorNodeInput,
            ASTLessThanOrEqualsOperatorNodeInput,
        ],
        Field(discriminator="type"),
    ],
)


AstGreaterThanOperatorNodeInputRight = TypeAliasType(
    "AstGreaterThanOperatorNodeInputRight",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            "ASTEqualsOperatorNodeInput",
            "ASTNotEqualsOperatorNodeInput",
            "ASTGreaterThanOperatorNodeInput",
            ASTLessThanOperatorNodeInput,
            ASTGreaterThanOrEqualsOperatorNodeInput,
            ASTLessThanOrEqualsOperatorNodeInput,
        ],
        Field(discriminator="type"),
    ],
)


class ASTGreaterThanOperatorNodeInput(BaseModel):
    type: Literal["gt_operator"] = "gt_operator"
    left: AstGreaterThanOperatorNodeInputLeft
    right: AstGreaterThanOperatorNodeInputRight


AstNotEqualsOperatorNodeInputLeft = TypeAliasType(
    "AstNotEqualsOperatorNodeInputLeft",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            "ASTEqualsOperatorNodeInput",
            "ASTNotEqualsOperatorNodeInput",
            ASTGreaterThanOperatorNodeInput,
            ASTLessThanOperatorNodeInput,
            ASTGreaterThanOrEqualsOperatorNodeInput,
            ASTLessThanOrEqualsOperatorNodeInput,
        ],
        Field(discriminator="type"),
    ],
)


AstNotEqualsOperatorNodeInputRight = TypeAliasType(
    "AstNotEqualsOperatorNodeInputRight",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            "ASTEqualsOperatorNodeInput",
            "ASTNotEqualsOperatorNodeInput",
            ASTGreaterThanOperatorNodeInput,
            ASTLessThanOperatorNodeInput,
            ASTGreaterThanOrEqualsOperatorNodeInput,
            ASTLessThanOrEqualsOperatorNodeInput,
        ],
        Field(discriminator="type"),
    ],
)


class ASTNotEqualsOperatorNodeInput(BaseModel):
    type: Literal["neq_operator"] = "neq_operator"
    left: AstNotEqualsOperatorNodeInputLeft
    right: AstNotEqualsOperatorNodeInputRight


AstEqualsOperatorNodeInputLeft = TypeAliasType(
    "AstEqualsOperatorNodeInputLeft",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            "ASTEqualsOperatorNodeInput",
            ASTNotEqualsOperatorNodeInput,
            ASTGreaterThanOperatorNodeInput,
            ASTLessThanOperatorNodeInput,
            ASTGreaterThanOrEqualsOperatorNodeInput,
            ASTLessThanOrEqualsOperatorNodeInput,
        ],
        Field(discriminator="type"),
    ],
)


AstEqualsOperatorNodeInputRight = TypeAliasType(
    "AstEqualsOperatorNodeInputRight",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            "ASTEqualsOperatorNodeInput",
            ASTNotEqualsOperatorNodeInput,
            ASTGreaterThanOperatorNodeInput,
            ASTLessThanOperatorNodeInput,
            ASTGreaterThanOrEqualsOperatorNodeInput,
            ASTLessThanOrEqualsOperatorNodeInput,
        ],
        Field(discriminator="type"),
    ],
)


class ASTEqualsOperatorNodeInput(BaseModel):
    type: Literal["eq_operator"] = "eq_operator"
    left: AstEqualsOperatorNodeInputLeft
    right: AstEqualsOperatorNodeInputRight


AstAndOperatorNodeInputChildrenItems = TypeAliasType(
    "AstAndOperatorNodeInputChildrenItems",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            "ASTAndOperatorNodeInput",
            ASTEqualsOperatorNodeInput,
            ASTNotEqualsOperatorNodeInput,
            ASTGreaterThanOperatorNodeInput,
            ASTLessThanOperatorNodeInput,
            ASTGreaterThanOrEqualsOperatorNodeInput,
            ASTLessThanOrEqualsOperatorNodeInput,
        ],
        Field(discriminator="type"),
    ],
)


class ASTAndOperatorNodeInput(BaseModel):
    type: Literal["and_operator"] = "and_operator"
    children: list[AstAndOperatorNodeInputChildrenItems]


AstOrOperatorNodeInputChildrenItems = TypeAliasType(
    "AstOrOperatorNodeInputChildrenItems",
    Annotated[
        Union[
            ASTStringNodeInput,
            ASTNumberNodeInput,
            ASTBooleanNodeInput,
            ASTLLMNodeInput,
            ASTDynamicVariableNodeInput,
            "ASTOrOperatorNodeInput",
            ASTAndOperatorNodeInput,
            ASTEqualsOperatorNodeInput,
            ASTNotEqualsOperatorNodeInput,
            ASTGreaterThanOperatorNodeInput,
            ASTLessThanOperatorNodeInput,
            ASTGreaterThanOrEqualsOperatorNodeInput,
            ASTLessThanOrEqualsOperatorNodeInput,
        ],
        Field(discriminator="type"),
    ],
)


class ASTOrOperatorNodeInput(BaseModel):
    type: Literal["or_operator"] = "or_operator"
    children: list[AstOrOperatorNodeInputChildrenItems]


WorkflowExpressionConditionModelInputExpression = TypeAliasType(
    "WorkflowExpressionConditionModelInputExpression",
    Annotated[
        ASTStringNodeInput
        | ASTNumberNodeInput
        | ASTBooleanNodeInput
        | ASTLLMNodeInput
        | ASTDynamicVariableNodeInput
        | ASTOrOperatorNodeInput
        | ASTAndOperatorNodeInput
        | ASTEqualsOperatorNodeInput
        | ASTNotEqualsOperatorNodeInput
        | ASTGreaterThanOperatorNodeInput
        | ASTLessThanOperatorNodeInput
        | ASTGreaterThanOrEqualsOperatorNodeInput
        | ASTLessThanOrEqualsOperatorNodeInput,
        Field(discriminator="type"),
    ],
)


class WorkflowExpressionConditionModelInput(BaseModel):
    label: str | None = None
    type: Literal["expression"] = "expression"
    expression: WorkflowExpressionConditionModelInputExpression


WorkflowEdgeModelInputForwardCondition = TypeAliasType(
    "WorkflowEdgeModelInputForwardCondition",
    Annotated[
        WorkflowUnconditionalModelInput
        | WorkflowLLMConditionModelInput
        | WorkflowResultConditionModelInput
        | WorkflowExpressionConditionModelInput,
        Field(discriminator="type"),
    ],
)


WorkflowEdgeModelInputBackwardCondition = TypeAliasType(
    "WorkflowEdgeModelInputBackwardCondition",
    Annotated[
        WorkflowUnconditionalModelInput
        | WorkflowLLMConditionModelInput
        | WorkflowResultConditionModelInput
        | WorkflowExpressionConditionModelInput,
        Field(discriminator="type"),
    ],
)


class WorkflowEdgeModelInput(BaseModel):
    source: str
    target: str
    forward_condition: WorkflowEdgeModelInputForwardCondition | None = None
    backward_condition: WorkflowEdgeModelInputBackwardCondition | None = None


PromptAgentApiModelWorkflowOverrideInputToolsItems = TypeAliasType(
    "PromptAgentApiModelWorkflowOverrideInputToolsItems",
    Annotated[
        WebhookToolConfigInput
        | ClientToolConfigInput
        | SystemToolConfigInput
        | ApiIntegrationWebhookToolConfigInput,
        Field(discriminator="type"),
    ],
)


class PromptAgentAPIModelWorkflowOverrideInput(BaseModel):
    prompt: str | None = None
    llm: LLM | None = None
    reasoning_effort: LLMReasoningEffort | None = None
    thinking_budget: int | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    tool_ids: list[str] | None = None
    built_in_tools: BuiltInToolsWorkflowOverrideInput | None = None
    mcp_server_ids: list[str] | None = None
    native_mcp_server_ids: list[str] | None = None
    knowledge_base: list[KnowledgeBaseLocator] | None = None
    custom_llm: CustomLLM | None = None
    ignore_default_personality: bool | None = None
    rag: RagConfigWorkflowOverride | None = None
    timezone: str | None = None
    backup_llm_config: PromptAgentApiModelWorkflowOverrideInputBackupLlmConfig | None = None
    tools: list[PromptAgentApiModelWorkflowOverrideInputToolsItems] | None = None


class AgentConfigAPIModelWorkflowOverrideInput(BaseModel):
    first_message: str | None = None
    language: str | None = None
    dynamic_variables: DynamicVariablesConfigWorkflowOverride | None = None
    disable_first_message_interruptions: bool | None = None
    prompt: PromptAgentAPIModelWorkflowOverrideInput | None = None


class ConversationalConfigAPIModelWorkflowOverrideInput(BaseModel):
    asr: ASRConversationalConfigWorkflowOverride | None = None
    turn: TurnConfigWorkflowOverride | None = None
    tts: TTSConversationalConfigWorkflowOverrideInput | None = None
    conversation: ConversationConfigWorkflowOverride | None = None
    language_presets: dict[str, Any] | None = None
    vad: VADConfigWorkflowOverride | None = None
    agent: AgentConfigAPIModelWorkflowOverrideInput | None = None


class WorkflowOverrideAgentNodeModelInput(BaseModel):
    conversation_config: ConversationalConfigAPIModelWorkflowOverrideInput | None = None
    additional_prompt: str | None = None
    additional_knowledge_base: list[KnowledgeBaseLocator] | None = None
    additional_tool_ids: list[str] | None = None
    type: Literal["override_agent"] = "override_agent"
    position: PositionInput | None = None
    edge_order: list[str] | None = None
    label: str


AgentWorkflowRequestModelNodes = TypeAliasType(
    "AgentWorkflowRequestModelNodes",
    Annotated[
        WorkflowStartNodeModelInput
        | WorkflowEndNodeModelInput
        | WorkflowPhoneNumberNodeModelInput
        | WorkflowOverrideAgentNodeModelInput
        | WorkflowStandaloneAgentNodeModelInput
        | WorkflowToolNodeModelInput,
        Field(discriminator="type"),
    ],
)


class AgentWorkflowRequestModel(BaseModel):
    edges: dict[str, WorkflowEdgeModelInput] | None = None
    nodes: dict[str, AgentWorkflowRequestModelNodes] | None = None


class BodyCreateAgentV1ConvaiAgentsCreatePost(BaseModel):
    conversation_config: ConversationalConfigAPIModelInput
    platform_settings: AgentPlatformSettingsRequestModel | None = None
    workflow: AgentWorkflowRequestModel | None = None
    name: str | None = None
    tags: list[str] | None = None
