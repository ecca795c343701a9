"""The crisis text check (app/services/crisis_detection): pure functions, no database needed
(the suite's autouse fixture still brings one up). The corpus lives in app/services/crisis/detection/data/corpus."""

import json

import pytest

from app.services.crisis.detection import CATEGORIES, Detection, detect, normalise, severity_for
from app.services.crisis.detection import verdict as crisis_check
from app.services.crisis.detection.rules import DATA
from config import Config
from tests.services.crisis.test_situations import SITUATIONS

CORPUS = DATA / "corpus"
# The categories of v2; issue 32's situations are tested in test_situations.py.
V2_CATEGORIES = set(CATEGORIES) - set(SITUATIONS)


def signals(message):
    """Whether the rules page on `message`."""
    return detect(message).is_crisis


def classify(intent_label, message, crisis_labels):
    """The crisis path's decision (intents.record): label and both opinions on the text."""
    verdict = crisis_check.check(message, Config.CRISIS_MODEL_PAGE_SCORE)
    return crisis_check.classify(intent_label, verdict, crisis_labels)


def corpus(name):
    return [json.loads(line) for line in (CORPUS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


# Evaluation sets: the corpus the patterns were first tuned on, the first held-out set, and
# holdout2 (written before the second round of pattern work) and holdout3 (a small probe
# written after it; its misses were then fixed too). See docs/crisis-detection.md.
SETS = {
    "corpus": ("crisis.jsonl", "ordinary.jsonl"),
    "holdout": ("holdout.jsonl",),
    "holdout2": ("holdout2.jsonl",),
    "holdout3": ("holdout3.jsonl",),
}


def rows_of(files):
    rows = [row for name in files for row in corpus(name)]
    return [r for r in rows if r["category"]], [r for r in rows if not r["category"]]


def check_rates(crisis, ordinary):
    missed = [row["text"] for row in crisis if not signals(row["text"])]
    alarms = [row["text"] for row in ordinary if signals(row["text"])]
    assert len(missed) / len(crisis) <= 0.03, missed
    assert len(alarms) / len(ordinary) <= 0.03, alarms


def test_corpus_shape():
    crisis, ordinary = corpus("crisis.jsonl"), corpus("ordinary.jsonl")
    assert len(crisis) >= 320 and len(ordinary) >= 320
    assert sum(row["hard"] for row in ordinary) >= len(ordinary) / 2
    assert {row["category"] for row in crisis} == V2_CATEGORIES
    assert {row["lang"] for row in crisis} == {"en", "es", "fr", "pt", "de"}
    crisis2, ordinary2 = rows_of(SETS["holdout2"])
    assert len(crisis2) >= 200 and len(ordinary2) >= 200
    assert sum(row["hard"] for row in ordinary2) >= len(ordinary2) / 2
    assert {row["category"] for row in crisis2} == V2_CATEGORIES
    for category in ("wish_to_be_dead", "active_ideation", "self_harm"):
        assert {row["lang"] for row in crisis2 if row["category"] == category} == {"en", "es", "fr", "pt", "de"}


def test_corpus_recall_and_false_alarms_on_all_files_together():
    crisis, ordinary = rows_of([name for files in SETS.values() for name in files])
    check_rates(crisis, ordinary)


@pytest.mark.parametrize("name", list(SETS))
def test_corpus_recall_and_false_alarms_on_each_file(name):
    check_rates(*rows_of(SETS[name]))


# Each category, in each language it claims, caught *as that category*.
CAUGHT = {
    "wish_to_be_dead": {
        "en": ["i just wish i could go to sleep and never wake up", "honestly i wish i was dead"],
        "es": ["a veces quiero morir", "ya no quiero vivir mas"],
        "fr": ["j'ai juste envie de mourir", "je ne veux plus vivre"],
        "pt": ["eu so quero morrer", "não quero mais viver"],
        "de": ["ich will einfach sterben", "ich will nicht mehr leben"],
    },
    "active_ideation": {
        "en": ["been thinking about killing myself a lot", "i want to unalive myself", "kms fr"],
        "es": ["me quiero matar", "tengo pensamientos suicidas"],
        "fr": ["j'ai envie de me tuer", "j'ai des idées suicidaires"],
        "pt": ["quero me matar", "to pensando em me matar"],
        "de": ["ich will mich umbringen", "ich habe suizidgedanken"],
    },
    "method_or_means": {
        "en": ["i've been saving up my pills", "how many tylenol would it take to not wake up"],
        "es": ["he estado guardando pastillas", "quiero tirarme de un puente"],
        "fr": ["je garde des cachets de côté", "je veux sauter du pont"],
        "pt": ["tenho guardado remédios", "quero pular da ponte"],
        "de": ["ich sammle schon länger tabletten", "ich will von der brücke springen"],
    },
    "intent_or_plan": {
        "en": ["i'm going to kill myself tonight", "i have it all planned out"],
        "es": ["esta noche me voy a matar", "tengo un plan para suicidarme"],
        "fr": ["ce soir je vais me tuer", "j'ai un plan pour me suicider"],
        "pt": ["hoje a noite vou me matar", "tenho um plano pra me matar"],
        "de": ["heute nacht bringe ich mich um", "am freitag mache ich schluss"],
    },
    "preparatory_behaviour": {
        "en": ["i've sorted out who gets my stuff", "i wrote a suicide note"],
        "es": ["escribí una carta de despedida", "estoy regalando mis cosas"],
        "fr": ["j'ai écrit une lettre d'adieu", "je donne toutes mes affaires"],
        "pt": ["escrevi uma carta de despedida", "to dando minhas coisas"],
        "de": ["ich habe einen abschiedsbrief geschrieben", "ich verschenke meine sachen"],
    },
    "self_harm": {
        "en": ["i cut myself again last night", "i've been burning myself with a lighter"],
        "es": ["me corto los brazos", "me hago daño cuando estoy mal"],
        "fr": ["je me scarifie", "je me fais du mal"],
        "pt": ["eu me corto", "quero me machucar"],
        "de": ["ich ritze mich", "ich verletze mich selbst"],
    },
    "burden_hopelessness": {
        "en": ["everyone would be better off without me", "i'm such a burden"],
        "es": ["todos estarían mejor sin mí", "soy una carga para todos"],
        "fr": ["tout le monde serait mieux sans moi", "je suis un fardeau"],
        "pt": ["todo mundo ficaria melhor sem mim", "sou um peso pra todos"],
        "de": ["alle wären besser dran ohne mich", "ich bin nur eine last"],
    },
    "danger_from_others": {
        "en": ["my stepdad hits me", "i'm afraid of what he'll do when he's drunk again", "i'm not safe at home"],
        "es": ["mi padrastro me pega", "no estoy segura en mi casa"],
        "fr": ["mon beau-père me frappe", "je ne suis pas en sécurité chez moi"],
        "pt": ["meu padrasto me bate", "não estou segura em casa"],
        "de": ["mein stiefvater schlägt mich", "ich bin zuhause nicht sicher"],
    },
}


@pytest.mark.parametrize(
    "category, lang, message",
    [(c, lang, m) for c, langs in CAUGHT.items() for lang, ms in langs.items() for m in ms],
)
def test_each_category_is_caught_in_each_language(category, lang, message):
    found = detect(message)
    assert found.is_crisis and category in found.categories, (message, found)


def test_every_category_has_cases_in_every_language():
    assert set(CAUGHT) == V2_CATEGORIES  # the situations': test_situations.py
    assert all(set(langs) == {"en", "es", "fr", "pt", "de"} for langs in CAUGHT.values())


QUIET = {
    "idiom": [
        "this cake is to die for",
        "that was a killer workout",
        "this lab is murdering me",
        "i was dying of laughter",
        "im dead 😂",
        "you're going to kill it at the presentation",
        "this homework is killing me",
        "if my mom finds out she'll kill me haha",
        "i burned myself on the oven tray, ouch",
        "me muero de risa",
        "ich lach mich tot",
    ],
    "computing": [
        "SIGKILL the container",
        "kill -9 the worker",
        "the worker died again",
        "process killed by the oom killer",
        "delete the dead code",
        "kill the server and restart it",
        "i'm going to jump off the cliff in minecraft to respawn",
    ],
    "study": [
        "our ethics seminar covered euthanasia law",
        "the deaths in romeo and juliet",
        "my essay on suicide prevention policy is due friday",
        "we're doing a report on self-harm awareness for psych class",
        "i need sources on overdose deaths in the opioid crisis",
        "mi ensayo sobre la prevención del suicidio",
        "mein referat über suizidprävention",
    ],
    "numbers": ["room 101 at 5pm", "i got 100% on my quiz!!!", "meet me at gate 4 at 7:30", "it's 5 kms away"],
    "everyday": ["i hope i don't wake up late tomorrow", "i've been saving my money for a trip", "see you tomorrow!"],
    # Playful hyperbole about a parent's anger is quiet (decision recorded in
    # docs/crisis-detection.md); fear, drink, hitting or threats are not hyperbole.
    "parents": [
        "my parents will kill me if I fail lol",
        "my dad will murder me if i dent the car haha",
        "mis padres me van a matar si suspendo jaja",
    ],
    "reasons": [
        "i won't be here tomorrow, dentist appointment",
        "i wrote a letter to my grandma for her birthday",
        "my brother hit me with a pillow lol",
        "training to be a peer supporter, learning about suicide risk factors",
    ],
}


@pytest.mark.parametrize("kind, message", [(k, m) for k, ms in QUIET.items() for m in ms])
def test_hard_negatives_stay_quiet(kind, message):
    assert detect(message) == Detection(False), (kind, message)


@pytest.mark.parametrize(
    "message",
    [
        "my dad said he'd kill me and i think he meant it",
        "i'm scared of my dad when he's drunk, he hits me",
        "he said if i tell anyone he'll hurt me",
        "i won't be around much longer",
        "my family would cope fine if i wasn't around",
        "death sounds kinda peaceful ngl",
        "i keep a blade in my pencil case for when it gets bad",
        "cuttin again tonight",
        "im planning on ending it after finals",
    ],
)
def test_near_misses_of_the_quiet_contexts_still_alert(message):
    assert signals(message), message


def test_a_clear_statement_is_never_suppressed_by_study_context():
    # "suicide" next to "essay" is quiet, a first-person statement in the same message is not
    assert detect("for my essay on suicide prevention, honestly i want to kill myself").is_crisis
    assert detect("i'm writing a report but i keep thinking about suicide every day").is_crisis


@pytest.mark.parametrize(
    "written, reads",
    [
        ("k1ll mys3lf", " kill myself "),
        ("i w4nt t0 d!e", " i want to die "),
        ("my$elf", " myself "),
        ("i wanna diiiiie", " i want to die "),
        ("kiiiilllll myselfff", " kill myself "),
        ("sooooo tired", " so tired "),
        ("I don't want to live", " i do not want to live "),
        ("i dont want to live", " i do not want to live "),
        ("I'm gonna", " i am going to "),
        ("im gonna", " i am going to "),
        ("can't, cant, cannot", " can not can not can not "),
        ("ima end it", " i am going to end it "),
        ("ｉ ｗａｎｔ ｔｏ ｄｉｅ", " i want to die "),
        ("ѕuісіdе", " suicide "),  # Cyrillic look-alikes
        ("κιll myself", " kill myself "),  # Greek kappa and iota
        ("I ᴡant to die", " i want to die "),  # small capital w
        ("k\u200bill my\u00adself", " kill myself "),  # zero-width space, soft hyphen
        ("ich wünschte ich wäre tot", " ich wunschte ich ware tot "),
        ("j'ai envie de mourir", " j ai envie de mourir "),
        ("room 101 at 5pm, 3 pills", " room 101 at spm 3 pills "),
        ("I want to sleep. Kill the server", " i want to sleep \n kill the server "),
        ("i want to... end it", " i want to end it "),
        ("cuttin myself, killin time", " cutting myself killing time "),  # a dropped g
        ("I ＷＡＮＴ to die！ now", " i want to die \n now "),  # full-width "！" still ends a sentence
        ("don’t", " do not "),  # typographic apostrophe
        ("s/h again", " sh again "),
    ],
)
def test_normalisation(written, reads):
    assert normalise(written) == reads


def test_fast_normalisation_reads_like_the_token_by_token_reference():
    # _render_fast (whole-text passes, used) must read every corpus message and a set of
    # awkward strings exactly as _render (one token at a time, the readable reference).
    from app.services.crisis.detection.normalise import _clean, _render, _render_fast, _stretched

    texts = [row["text"] for files in SETS.values() for name in files for row in corpus(name)]
    texts += [
        "",
        ".",
        "...",
        "!!!",
        " . ",
        "a.\n.\nb",
        "end.) next",
        "wait… what?!",
        "hi!how",
        "what?. ok",
        "'",
        "''",
        "a'",
        "'a",
        "it's",
        "j'ai",
        "mom's",
        "d0n't",
        "no1 cares",
        "2 die",
        "h4ppy, jk.",
        "kiiiilll myselfff",
        "sooo tired!!!",
        "i'm sooooo done",
        "rrry'",
        "ｋｉｌｌ",
        "ѕuісіdе",
        "😂 ok 😂",
    ]
    for text in texts:
        cleaned = _clean(text)
        assert _render_fast(cleaned, None) == _render(cleaned, _stretched(cleaned)), text


def test_long_messages_keep_every_sentence_s_finding():
    # Long messages are scanned sentence by sentence: joining messages must neither lose a
    # crisis sentence's categories nor make ordinary sentences alert.
    import random

    rng = random.Random(9)
    crisis, ordinary = rows_of([name for files in SETS.values() for name in files])
    quiet = [r["text"] for r in ordinary if not signals(r["text"])]
    for _ in range(40):
        filler = rng.sample(quiet, 30)
        assert not detect(". ".join(filler)).is_crisis
        signal = rng.choice(crisis)["text"]
        expected = set(detect(signal).categories)
        found = detect(". ".join(filler[:15] + [signal] + filler[15:]))
        assert expected <= set(found.categories), signal


@pytest.mark.parametrize(
    "message",
    [
        "i want to k1ll mys3lf",
        "i wanna diiiie",
        "ｉ ｗａｎｔ ｔｏ ｄｉｅ",
        "i want to diе",
        "ѕuісіdаl tonight",
        "I'm gonna kms",
    ],
)
def test_disguised_crisis_is_caught(message):
    assert signals(message), message


def test_numbers_in_ordinary_text_are_not_leetspeak():
    # "3" in "3 pills" is a number, not an "e"; "d13" would be, inside a word
    assert normalise("i took 3 pills for my headache") == " i took 3 pills for my headache "
    assert not signals("i took 2 paracetamol for my headache")


def test_classify_reasons():
    labels = ["crisis", "self_harm"]
    assert classify("crisis", "I want to end my life", labels) == (True, "label+text")
    assert classify("Self_Harm ", "I feel awful", labels) == (True, "label")
    assert classify("study_help", "thinking about killing myself", labels) == (True, "text")
    assert classify("study_help", "Can you explain photosynthesis?", labels) == (False, None)


def test_detect_reports_categories_matched_words_and_severity():
    found = detect("i've been saving up my pills and i'm going to kill myself tonight")
    assert found.is_crisis and found.severity == "critical"
    assert found.categories[0] in ("intent_or_plan", "method_or_means")
    assert {"intent_or_plan", "method_or_means", "active_ideation"} <= set(found.categories)
    ranks = [("low", "medium", "high", "critical").index(CATEGORIES[c]["severity"]) for c in found.categories]
    assert ranks == sorted(ranks, reverse=True)  # most severe first
    assert any("pills" in m for m in found.matched) and all(len(m) <= 60 for m in found.matched)
    assert detect("everyone would be better off without me") == Detection(
        True, ["burden_hopelessness"], ["everyone would be better off without me"], "medium", "page"
    )
    assert detect("Can you explain photosynthesis?") == Detection(False, [], [], None)


def test_every_category_has_a_severity_and_a_description():
    assert set(CATEGORIES) == set(CAUGHT) | set(SITUATIONS)
    for meta in CATEGORIES.values():
        assert meta["severity"] in ("low", "medium", "high", "critical") and meta["description"]


def test_severity_for():
    plan, burden = detect("im going to kill myself tonight"), detect("im such a burden")
    assert severity_for("medium", 0.99, "label+text", plan) == "medium"  # the chatbot's word wins
    assert severity_for(None, 0.5, "label+text", None) == "critical"
    assert severity_for(None, 0.95, "label", None) == "critical"
    assert severity_for(None, 0.5, "label", None) == "high"
    assert severity_for(None, 0.5, "text", None) == "high"
    assert severity_for(None, 0.5, "text", plan) == "critical"  # a plan is critical
    assert severity_for(None, 0.5, "text", burden) == "high"  # a milder category never lowers an alert
    assert severity_for(None, 0.5, "label", plan) == "high"  # the text did not flag it: no text severity


@pytest.mark.parametrize(
    "message",
    [
        "\ud83d",
        "i want to die \ud83d",
        "nul\x00byte",
        "\x00" * 100,
        "\x01\x02\x1b[31mred\x7f",
        "\u202ei want to die\u202c \u200f",
        "😂" * 4000,
        "🔥💀" * 2000,
        "",
        " ",
        "\n\n\n",
        "a" * 4000,
        "kill " * 800,
        "i want to " * 400,
        "١٢٣ 你好 שלום مرحبا",
        None,
    ],
)
def test_odd_text_never_raises(message):
    found = detect(message)
    assert isinstance(found, Detection)
    assert isinstance(classify("greeting", message or "", ["crisis"]), tuple)


def test_odd_text_still_finds_the_crisis():
    assert signals("\u202ei want to die\u202c")
    assert signals("😂" * 1000 + " i want to kill myself " + "😂" * 1000)
    assert signals("\x00i want to\x00 die")
    assert signals("i want to die \ud83d")


def test_the_matched_phrases_come_in_the_same_order_in_every_process():
    """Their order among equals followed a set's iteration, which Python's per-process
    string hashing changes: which eight an alert showed could differ between processes."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    script = (
        "from app.services.crisis.detection import detect; "
        "print(repr(detect('i keep thinking about jumping in front of a train. i want to die, i have pills "
        "saved up and wrote goodbye notes, tonight i will jump off the bridge, no reason to live')))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
        ).stdout
        for seed in ("1", "3", "7")
    }
    assert len(seen) == 1 and "matched" in seen.pop()
