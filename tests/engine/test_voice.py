"""Voice turns on fakes and a virtual clock: hearing, speaking, barge-in and backchannels."""

from __future__ import annotations

from parley.engine.listening import RESUME
from parley.engine.phases import Phase
from parley.engine.voice import is_backchannel
from parley.providers.llm.base import ChatMessage
from tests.engine.harness import audio_ids, talk, voice_harness
from tests.fakes.llm import say


async def test_the_first_message_is_spoken() -> None:
    h = await voice_harness([], [], []).start()
    await h.clock.advance(3.0)
    assert h.said() == ["Hello there, how can I help?"]
    first_id = h.of("agent_response")[0].agent_response_event.event_id
    assert audio_ids(h)
    assert set(audio_ids(h)) == {first_id}
    await h.close()


async def test_a_spoken_question_gets_a_spoken_answer() -> None:
    h = await voice_harness(
        [(2.0, 3.5)], ["what time do you open"], [say("We open at nine.")]
    ).start()
    await talk(h, 5.0)
    await h.clock.advance(3.0)
    transcripts = [e.user_transcription_event.user_transcript for e in h.of("user_transcript")]
    assert transcripts == ["what time do you open"]
    assert h.said()[-1] == "We open at nine."
    answer_id = h.of("agent_response")[-1].agent_response_event.event_id
    assert answer_id in audio_ids(h)
    assert h.of("vad_score"), "vad scores are sent when asked for"
    entry = h.recorder.last.transcript[1]
    assert (entry["role"], entry["source_medium"]) == ("user", "audio")
    await h.close()


async def test_barge_in_stops_the_audio_and_corrects_the_reply() -> None:
    long_reply = say(
        "Our menu has many dishes. ", "There are soups, salads and pasta. ", "And cakes."
    )
    h = await voice_harness(
        [(1.0, 2.0), (4.5, 5.5)],
        ["tell me about the menu", "do you have pizza"],
        [long_reply, say("Yes, we do.")],
    ).start()
    await talk(h, 4.5)  # question, then the answer starts playing
    answer_id = h.of("agent_response")[-1].agent_response_event.event_id
    assert answer_id in audio_ids(h)
    await talk(h, 0.6)  # the user cuts in (and keeps talking past the barge-in threshold)
    interruption = h.of("interruption")[-1].interruption_event
    assert interruption.event_id == answer_id
    audio_after = h.events[h.events.index(h.of("interruption")[-1]) :]
    assert answer_id not in [e.audio_event.event_id for e in audio_after if e.type == "audio"]
    correction = h.of("agent_response_correction")[-1].agent_response_correction_event
    assert correction.original_agent_response.startswith("Our menu has many dishes.")
    assert len(correction.corrected_agent_response) < len(correction.original_agent_response)
    await talk(h, 2.0)
    await h.clock.advance(3.0)
    assert h.said()[-1] == "Yes, we do."
    interrupted = [t for t in h.recorder.last.transcript if t["interrupted"]]
    assert interrupted[-1]["message"] == correction.corrected_agent_response
    await h.close()


async def test_a_backchannel_does_not_interrupt() -> None:
    h = await voice_harness(
        [(1.0, 2.0), (4.5, 4.8)],
        ["tell me about the menu", "uh-huh"],
        [say("Our menu has many dishes. ", "There are soups and salads."), say("Unused.")],
    ).start()
    await talk(h, 4.5)
    answer_id = h.of("agent_response")[-1].agent_response_event.event_id
    await talk(h, 2.0)
    await h.clock.advance(4.0)
    assert answer_id not in [e.interruption_event.event_id for e in h.of("interruption")]
    transcripts = [e.user_transcription_event.user_transcript for e in h.of("user_transcript")]
    assert transcripts == ["tell me about the menu"], "a backchannel is not a user turn"
    assert len(h.llm.requests) == 1
    await h.close()


async def test_noise_that_barged_in_makes_the_agent_resume() -> None:
    h = await voice_harness(
        [(1.0, 2.0), (4.5, 5.2)],
        ["tell me about the menu", ""],  # a cough: loud and long, but no words
        [
            say("Our menu has many dishes. ", "There are soups and salads."),
            say("As I said, soups."),
        ],
    ).start()
    await talk(h, 4.5)
    answer_id = h.of("agent_response")[-1].agent_response_event.event_id
    await talk(h, 2.0)
    await h.clock.advance(4.0)
    assert answer_id in [e.interruption_event.event_id for e in h.of("interruption")]
    assert h.llm.requests[-1].messages[-1].content == RESUME
    assert h.said()[-1] == "As I said, soups."
    await h.close()


async def test_a_reply_cut_by_noise_before_it_was_heard_is_given_again() -> None:
    h = await voice_harness(
        [(3.0, 4.0), (4.7, 5.3)],
        ["what time do you open", ""],  # the question, then a cough before the answer
        [say("We open at nine.", delay=2.0), say("We open at nine, every day.")],
    ).start()
    await talk(h, 8.0)
    await h.clock.advance(3.0)
    question, retry = h.llm.requests[-2:]
    assert retry.messages == question.messages, "the same reply is asked for again"
    assert all(m.content != RESUME for r in h.llm.requests for m in r.messages)
    assert h.said()[-1] == "We open at nine, every day."
    answer = h.recorder.last.transcript[-1]
    assert (answer["role"], answer["interrupted"]) == ("agent", False)
    metrics = answer["conversation_turn_metrics"]["metrics"]
    # measured from the end of the question: the user waited through the false interruption
    assert metrics["first_audio_sent"]["elapsed_time"] > 5.3 - 4.0
    await h.close()


async def test_the_llm_reads_the_words_heard_so_far_while_the_user_speaks() -> None:
    h = await voice_harness(
        [(2.0, 4.0)], ["what time do you open"], [say("At nine.")], interim="what time"
    ).start()
    await talk(h, 6.0)
    await h.clock.advance(2.0)
    assert h.llm.prefills, "interim transcripts warm the model"
    warmed, asked = h.llm.prefills[-1].messages, h.llm.requests[-1].messages
    assert warmed[-1] == ChatMessage("user", "what time")
    assert asked[-1] == ChatMessage("user", "what time do you open")
    assert warmed[:-1] == asked[:-1], "the reply's prompt begins with the warmed one"
    assert h.said()[-1] == "At nine."
    await h.close()


async def test_first_message_can_be_protected_from_interruptions() -> None:
    h = await voice_harness(
        [(0.5, 1.2)], ["hi"], [say("Hi!")], disable_first_message_interruptions=True
    ).start()
    await talk(h, 1.0)
    assert h.of("interruption") == []
    assert h.conversation.phase is Phase.RESPONDING
    await h.close()


def test_backchannels() -> None:
    assert is_backchannel("Uh-huh.")
    assert is_backchannel("okay")
    assert is_backchannel("")
    assert not is_backchannel("okay, book it")


async def test_each_spoken_reply_stores_its_stage_timings() -> None:
    h = await voice_harness(
        [(2.0, 3.5)], ["what time do you open"], [say("We open at nine.")]
    ).start()
    await talk(h, 5.0)
    await h.clock.advance(3.0)
    answer = h.recorder.last.transcript[-1]
    metrics = answer["conversation_turn_metrics"]["metrics"]
    stages = [
        metrics[name]["elapsed_time"]
        for name in ("transcript_final", "llm_first_token", "first_audio_sent")
    ]
    assert stages == sorted(stages)
    assert stages[0] >= 0.5, "the end-of-turn silence comes before the final transcript"
    await h.close()


async def test_the_call_is_recorded_when_it_ends() -> None:
    h = await voice_harness([(3.0, 4.0)], ["when do you open"], [say("At nine.")]).start()
    await talk(h, 6.0)
    assert not h.recorder.audio, "the recording is stored once, at the end"
    await h.close()
    audio = h.recorder.audio["conv_test"]
    assert audio.has_user_audio
    assert audio.has_response_audio
    assert audio.content_type == "audio/flac"
    assert audio.data.startswith(b"fLaC"), "stored lossless; MP3 is made when it is asked for"


async def test_nothing_is_recorded_when_the_agent_says_so() -> None:
    h = await voice_harness(
        [(3.0, 4.0)],
        ["when do you open"],
        [say("At nine.")],
        platform_settings={"privacy": {"record_voice": False}},
    ).start()
    await talk(h, 6.0)
    await h.close()
    assert h.recorder.audio == {}
    assert h.said()[-1] == "At nine."


async def test_the_soft_timeout_filler_is_spoken_and_the_reply_follows_it() -> None:
    h = await voice_harness(
        [(2.0, 3.5)],
        ["what time do you open"],
        [say("We open at nine.", delay=3.0)],
        turn={"soft_timeout_config": {"timeout_seconds": 1.0, "message": "Hmm, one moment."}},
    ).start()
    await talk(h, 5.0)
    await h.clock.advance(6.0)
    assert h.said()[-2:] == ["Hmm, one moment.", "We open at nine."]
    filler_id, reply_id = (e.agent_response_event.event_id for e in h.of("agent_response")[-2:])
    ids = audio_ids(h)
    assert filler_id in ids, "the filler is spoken in a voice call"
    assert ids.index(filler_id) < ids.index(reply_id)
    assert max(i for i, x in enumerate(ids) if x == filler_id) < ids.index(reply_id), (
        "the reply's audio never interleaves with the filler's"
    )
    await h.close()
