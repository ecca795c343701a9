"""Issue 32: the situations as categories, in every language, and the two tiers (page, review).

Each situation is caught *as that category* and pages in each of the five languages; its
hard negatives (the nursing course, the philosophy essay, the euthanasia debate, the exam
exaggeration, grief for a grandparent) never page; weak forms reach review only; and the
held-out set (holdout4.jsonl, written before any situation rule) is measured on both tiers.
"""

import json

import pytest

from app.services.crisis.detection import CATEGORIES, PAGE, REVIEW, detect
from app.services.crisis.detection.rules import DATA  # noqa: E402

CORPUS = DATA / "corpus"
LANGS = {"en", "es", "fr", "pt", "de"}

SITUATIONS = {
    "harm_under_way": {
        "en": ["i already took all my pills 20 min ago", "cut way too deep and its still bleeding everywhere"],
        "es": ["ya me tomé todas las pastillas", "me corté muy profundo y no para de sangrar"],
        "fr": ["j'ai déjà avalé toute la boîte de cachets", "je me suis coupée trop profond, ça saigne encore"],
        "pt": ["já tomei todos os comprimidos", "tomei um monte de remédio faz uma hora"],
        "de": ["hab schon alle tabletten genommen", "hab mich zu tief geschnitten und es hört nicht auf zu bluten"],
    },
    "farewell": {
        "en": ["sorry in advance for what im about to do", "pls look after my dog when im gone"],
        "es": ["perdón por lo que voy a hacer", "gracias por todo, adiós para siempre"],
        "fr": ["pardon d'avance pour ce que je vais faire", "occupez vous de mon chat quand je serai plus là"],
        "pt": ["desculpa pelo que eu vou fazer", "obrigada por tudo, adeus pra sempre"],
        "de": ["tut mir leid was ich gleich tun werde", "danke für alles, lebt wohl"],
    },
    "chosen_moment": {
        "en": ["when everyone's asleep tonight im doing it", "friday is the day"],
        "es": ["cuando todos duerman esta noche lo hago", "ya elegí la fecha"],
        "fr": ["quand tout le monde dormira ce soir je le fais", "j'ai choisi la date"],
        "pt": ["quando todos dormirem hoje eu faço", "já escolhi a data"],
        "de": ["wenn alle heute nacht schlafen mach ich es", "nach meinem geburtstag ist schluss"],
    },
    "exploitation_or_threats": {
        "en": ["a guy i met online says hell post my nudes unless i send more", "someone is blackmailing me"],
        "es": ["un tipo de internet dice que va a publicar mis fotos si no le mando más", "me están chantajeando"],
        "fr": ["un mec menace de publier mes photos si j'envoie pas plus", "on me fait du chantage avec mes photos"],
        "pt": ["um cara disse que vai vazar minhas fotos se eu não mandar mais", "to sendo chantageada"],
        "de": ["ein typ droht meine fotos zu posten wenn ich nicht mehr schicke", "ich werde erpresst"],
    },
    "starving_to_die": {
        "en": ["im going to starve myself to death", "not eating until i die"],
        "es": ["voy a dejar de comer hasta morir", "no como nada para desaparecer para siempre"],
        "fr": ["je vais arrêter de manger jusqu'à mourir", "je mange plus rien jusqu'à ce que je meure"],
        "pt": ["vou parar de comer até sumir de vez", "não como nada pra morrer logo"],
        "de": ["ich hör auf zu essen bis ich tot bin", "ich esse nichts mehr bis ich sterbe"],
    },
    "disguised_question": {
        "en": [
            "how much paracetamol is lethal for my weight",
            "for homework: how many pills would kill someone my size",
        ],
        "es": ["pregunta para la tarea, cuánto es letal para mi peso", "es pa mi"],
        "fr": ["combien il en faut pour mourir à mon poids", "je demande pour moi"],
        "pt": ["quantos comprimidos matam alguém como eu", "pergunto por mim"],
        "de": ["wie viel ist tödlich bei meinem gewicht", "frage für mich"],
    },
}

# Hard negatives, per language: study, debate, exaggeration, grief, everyday goodbyes.
# None of them may page; the study questions may reach review (a mentor glance is cheap).
HARD_NEGATIVES = {
    "en": [
        "nursing class: how do you treat someone who took too many pills",
        "philosophy essay: is suicide ever rational? camus vs hume",
        "debate on euthanasia tomorrow, need arguments for",
        "death penalty debate: is it ever justified",
        "if i fail this exam im literally dead",
        "my grandma passed away last week, i miss her",
        "thanks for everything, goodbye and see you next term",
        "i already took my meds this morning",
        "after my birthday im going on holiday",
        "i skipped breakfast, im starving",
    ],
    "es": [
        "curso de enfermería: cómo tratar una sobredosis",
        "ensayo de filosofía sobre el suicidio",
        "debate sobre la eutanasia",
        "si repruebo este examen me muero",
        "mi abuelo murió y lo extraño",
        "gracias por todo, adiós y nos vemos",
    ],
    "fr": [
        "cours de secourisme sur les overdoses",
        "dissertation de philo sur le suicide",
        "débat sur la peine de mort",
        "si je rate cet exam je suis mort",
        "mon grand-père est mort et il me manque",
        "merci pour tout et à bientôt",
    ],
    "pt": [
        "aula de enfermagem sobre overdose",
        "redação de filosofia sobre o suicídio",
        "debate sobre a eutanásia",
        "se eu reprovar nessa prova eu morro",
        "minha avó morreu e sinto falta dela",
        "obrigado por tudo e até logo",
    ],
    "de": [
        "erste hilfe kurs über überdosis",
        "ethik aufsatz über suizid",
        "debatte über sterbehilfe",
        "wenn ich die prüfung verhaue bin ich tot",
        "mein opa ist gestorben und ich vermisse ihn",
        "danke für alles und bis bald",
    ],
}


@pytest.mark.parametrize(
    "category, lang, message",
    [(c, lang, m) for c, langs in SITUATIONS.items() for lang, ms in langs.items() for m in ms],
)
def test_each_situation_pages_in_each_language(category, lang, message):
    found = detect(message)
    assert found.tier == PAGE and category in found.categories, (message, found)


def test_every_situation_is_a_category_with_cases_in_every_language():
    assert set(SITUATIONS) <= set(CATEGORIES)
    assert all(set(langs) == LANGS for langs in SITUATIONS.values())
    assert set(HARD_NEGATIVES) == LANGS


def test_harm_under_way_ranks_above_a_plan():
    order = list(CATEGORIES)
    assert order[0] == "harm_under_way" and CATEGORIES["harm_under_way"]["severity"] == "critical"
    found = detect("i already took all my pills and im going to kill myself tonight")
    assert found.categories[0] == "harm_under_way" and found.severity == "critical"


@pytest.mark.parametrize("lang, message", [(lang, m) for lang, ms in HARD_NEGATIVES.items() for m in ms])
def test_hard_negatives_never_page(lang, message):
    assert detect(message).tier != PAGE, (message, detect(message))


@pytest.mark.parametrize(
    "message, category",
    [
        ("whats the point of trying", "burden_hopelessness"),
        ("nothing means anything anymore tbh", "burden_hopelessness"),
        ("dont really care if i wake up tmrw", "wish_to_be_dead"),
        ("do people who kill themselves go to hell", "disguised_question"),
        ("nada tiene sentido ya", "burden_hopelessness"),
        ("plus rien n'a de sens", "burden_hopelessness"),
        ("nada faz sentido mais", "burden_hopelessness"),
        ("nichts hat mehr sinn", "burden_hopelessness"),
    ],
)
def test_weak_signals_reach_review_not_the_page(message, category):
    found = detect(message)
    assert found.tier == REVIEW and not found.is_crisis and category in found.categories, found
    assert found.matched and found.severity


def test_a_study_context_turns_a_page_into_a_review_but_never_for_danger_from_others():
    assert detect("how many pills would be a lethal dose").tier == PAGE
    demoted = detect("pharmacology quiz: how many pills would be a lethal dose")
    assert demoted.tier == REVIEW and "method_or_means" in demoted.categories
    # someone else hurting the student, or a question naming the student, is never classwork
    assert detect("first aid course but my dad hits me when hes drunk").tier == PAGE
    assert detect("for my nursing class: how much paracetamol is lethal for my weight").tier == PAGE


def test_ordinary_text_is_neither_tier():
    assert detect("can you explain photosynthesis?").tier is None
    assert detect("thanks for the help with fractions, bye!").tier is None


def rows(name):
    return [json.loads(line) for line in (CORPUS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def rates(name):
    data = rows(name)
    crisis = [detect(r["text"]).tier for r in data if r["category"]]
    ordinary = [detect(r["text"]).tier for r in data if not r["category"]]
    share = lambda tiers, ok: sum(map(ok, tiers)) / len(tiers)  # noqa: E731
    return {
        "crisis_page": share(crisis, lambda t: t == PAGE),
        "crisis_reach": share(crisis, lambda t: t is not None),
        "ordinary_page": share(ordinary, lambda t: t == PAGE),
        "ordinary_reach": share(ordinary, lambda t: t is not None),
    }


def test_held_out_situations_on_both_tiers():
    """holdout4.jsonl was committed before any situation rule and never tuned on. These are the
    floors measured on it (bench/README.md): page 41/51, reach 47/51, ordinary page 0/34 and
    reach 2/34. The issue's goals (page >= 90 %, reach >= 98 %) are NOT met yet on it; the
    ordinary goals (page <= 2 %, reach <= 10 %) are."""
    got = rates("holdout4.jsonl")
    assert got["crisis_page"] >= 0.80 and got["crisis_reach"] >= 0.92, got
    assert got["ordinary_page"] <= 0.02 and got["ordinary_reach"] <= 0.10, got


def test_tuned_situations_on_both_tiers():
    got = rates("situations.jsonl")
    assert got["crisis_page"] >= 0.90 and got["crisis_reach"] >= 0.98, got
    assert got["ordinary_page"] <= 0.02 and got["ordinary_reach"] <= 0.10, got


def test_corpus_shape_of_the_situations():
    for name in ("situations.jsonl", "holdout4.jsonl"):
        data = rows(name)
        crisis = [r for r in data if r["category"]]
        assert set(SITUATIONS) <= {r["category"] for r in crisis}
        for category in SITUATIONS:
            assert {r["lang"] for r in crisis if r["category"] == category} == LANGS, (name, category)
        kinds = {r["kind"] for r in data if not r["category"]}
        assert {"study", "idiom", "grief", "everyday"} <= kinds
