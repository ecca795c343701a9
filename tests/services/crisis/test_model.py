"""The crisis model (detection/model.py, training.py, verdict.py): the artefact loads with
the trusted-types check, training is deterministic, typo'd and slang variants of every
category alert, hard negatives stay quiet, and on heldout_v3.jsonl (never trained on)
rules + model keep recall. Pure functions; the suite's autouse fixture still brings a
database up."""

import numpy as np
import pytest
import skops.io as sio
from sklearn.preprocessing import FunctionTransformer

from app.services.crisis.detection import CATEGORIES, PAGE, REVIEW, model, training
from app.services.crisis.detection.verdict import check as check_with
from app.services.crisis.detection.verdict import severity
from config import Config
from tests.services.crisis.test_situations import SITUATIONS


def check(message):
    """The verdict as the intents service asks for it (the configured page score)."""
    return check_with(message, Config.CRISIS_MODEL_PAGE_SCORE)


def test_the_committed_artefact_loads_through_the_trusted_types_check():
    loaded = model.load()
    assert 0 < loaded.threshold < 1
    assert training.ARTEFACT.stat().st_size < 5_000_000  # a few MB at most
    assert model.current() is model.current()  # once per process


def test_an_artefact_with_an_untrusted_type_is_refused(tmp_path):
    import os

    path = tmp_path / "evil.skops"
    sio.dump(FunctionTransformer(func=os.system), path)
    with pytest.raises(model.UntrustedModel):
        model.load(path, training.META)


def test_training_is_deterministic_and_the_artefact_matches_the_corpus():
    rows = training.load_rows()
    # byte for byte, on a subset (fast): the same rows give the same artefact bytes
    subset = rows[::5]
    first = training._canonical(sio.dumps(training.fit(subset)))
    second = training._canonical(sio.dumps(training.fit(list(subset))))
    assert first == second
    # the committed artefact is what the corpus in the repository trains
    fresh = training.fit(rows).named_steps["classifier"]
    assert np.allclose(fresh.coef_[0], model.current().coef, atol=1e-5)


def test_the_threshold_is_chosen_for_recall_on_data_not_trained_on():
    rows = training.load_rows()[::4]
    scores = training.out_of_fold_scores(rows, folds=3)
    threshold = training.choose_threshold(rows, scores, target=0.9)
    crisis = scores[[bool(r.get("category")) for r in rows]]
    assert (crisis >= threshold).mean() >= 0.9


# A typo'd, slang or stretched variant per category, none of them in the corpus.
VARIANTS = {
    "wish_to_be_dead": ["wish i culd just not wake up tmrw", "quiero morirrr ya", "will nich mehr lebn"],
    "active_ideation": ["thinkin bout unaliving myslf", "j'ai envi d'en finirrr", "to pensano em me mata"],
    "self_harm": ["relapsed on sh agaiin", "me corté otra vez los brazos", "hab mich wider geritzt"],
    "method_or_means": ["been stockpilin my meds", "tengo pastillas guardadas en el cajon", "ich sammel tabletten"],
    "intent_or_plan": ["doin it tonite, decided", "ce soir je le fais c decide", "hoje a noite eu faço isso"],
    "preparatory_behaviour": ["wrote goodby letters for my fam", "regalé todas mis cosas", "abschiedsbrief is fertig"],
    "burden_hopelessness": ["evry1 wud be better off w/o me", "sou um fardo pra todos", "ich bin nur ne last"],
    "danger_from_others": ["my stepdad beat me agen last nite", "mon pere me frappe", "mein vater schlägt mich"],
}


def test_every_category_has_variants():
    # issue 32's situations have theirs in test_situations.py
    assert set(VARIANTS) == set(CATEGORIES) - set(SITUATIONS)


@pytest.mark.parametrize(("category", "message"), [(c, m) for c, ms in VARIANTS.items() for m in ms])
def test_typo_and_slang_variants_reach_the_mentor(category, message):
    assert check(message).tier in (PAGE, REVIEW), message


def test_typo_and_slang_variants_mostly_page():
    """Two tiers: the model pages alone when sure or when means, a plan, preparation or a
    time is named; otherwise its hits go to review. Of these 24, 20 page today."""
    paged = [m for ms in VARIANTS.values() for m in ms if check(m).tier == PAGE]
    assert len(paged) >= 20, len(paged)


HARD_NEGATIVES = [
    "This homework is killing me",
    "I want to skill myself up in Python",
    "How do I kill a process in Linux?",
    "i cut the paper for the art project",
    "we took the train to the museum",
    "me muero de risa con este video",
    "ce prof va me tuer avec ses devoirs",
    "essa prova vai me matar kkkk",
    "ich lach mich tot",
    "hi",
    "ok thanks",
]


# Short everyday replies in the five languages: the model had learned "short and not English"
# as a crisis signal ("meh" scored 0.6); train_v4 has hundreds of such messages (not these).
SHORT_EVERYDAY = [
    "meh",
    "hmm ok",
    "whatever",
    "bueno ya",
    "vale vale",
    "ah bon",
    "bof bof",
    "nossa ta",
    "achso",
    "ok dann",
]


@pytest.mark.parametrize("message", SHORT_EVERYDAY)
def test_short_everyday_replies_stay_quiet(message):
    verdict = check(message)
    assert verdict.tier is None and verdict.model.score < 0.3, (message, verdict.model)


@pytest.mark.parametrize("message", HARD_NEGATIVES)
def test_hard_negatives_stay_quiet(message):
    verdict = check(message)
    assert verdict.tier is None, (message, verdict.model)


def test_a_buried_clause_in_a_long_homework_message_alerts():
    homework = "can you check my essay on the water cycle, evaporation and condensation in the clouds. " * 20
    middle = len(homework) // 2
    message = (homework[:middle] + " i have been saving my pills for when i cant take it. " + homework[middle:])[:4000]
    assert check(message).by_model


def test_the_model_explains_itself_with_its_top_ngrams():
    verdict = check("ich hab die tabletten von meiner oma gesammelt")
    assert verdict.by_model and not verdict.by_rules
    trigger = verdict.model_trigger()
    assert trigger["score"] >= trigger["threshold"] and "tabletten" in trigger["top_features"]


def test_cssrs_means_or_a_time_make_it_critical():
    assert severity(None, 0.5, "text", check("i wish i was dead, i saved up my pills")) == "critical"
    assert severity("medium", 0.5, "label", check("i want to die tonight")) == "critical"
    assert severity(None, 0.5, "text", check("i wish i was dead")) == "high"


def test_held_out_recall_and_false_alarms():
    """heldout_v3.jsonl was written before the model and is never trained on. Goals: recall
    >= 95 %, false alarms <= 5 %: not met (bench/README.md). The bounds here only guard
    against getting worse."""
    rows = training.read_file(training.HELD_OUT)
    crisis = [r for r in rows if r["category"]]
    ordinary = [r for r in rows if not r["category"]]
    assert len(crisis) >= 90 and len(ordinary) >= 55
    assert {r["lang"] for r in crisis} == {"en", "es", "fr", "pt", "de"}
    got = tier_rates(training.HELD_OUT)
    # measured with train_v4: reach 88/91, page 81/91; ordinary paged 8/56, reached 12/56
    # (before it: 88/91, 77/91; 10/56, 18/56). bench/README.md has them per category and language.
    assert got["crisis_reach"] >= 0.95, got
    assert got["crisis_page"] >= 0.85, got
    assert got["ordinary_page"] <= 0.15, got
    assert got["ordinary_reach"] <= 0.25, got


def tier_rates(name):
    rows = training.read_file(name)
    crisis = [check(r["text"]).tier for r in rows if r["category"]]
    ordinary = [check(r["text"]).tier for r in rows if not r["category"]]
    share = lambda tiers, ok: sum(map(ok, tiers)) / len(tiers)  # noqa: E731
    return {
        "crisis_page": share(crisis, lambda t: t == PAGE),
        "crisis_reach": share(crisis, lambda t: t in (PAGE, REVIEW)),
        "ordinary_page": share(ordinary, lambda t: t == PAGE),
        "ordinary_reach": share(ordinary, lambda t: t in (PAGE, REVIEW)),
    }


def test_no_held_out_message_is_trained_on():
    train_texts = {r["normalised"] for r in training.load_rows()}
    assert set(training.HELD_OUT_FILES) & set(training.TRAIN_FILES) == set()
    for name in training.HELD_OUT_FILES:
        held = {training.normalise(r["text"]).strip() for r in training.read_file(name)}
        assert not train_texts & held, name


def test_holdout5_covers_every_category_and_language():
    rows = training.read_file("holdout5.jsonl")
    crisis = [r for r in rows if r["category"]]
    assert len(crisis) >= 60 and len(rows) - len(crisis) >= 60
    assert {r["category"] for r in crisis} == set(CATEGORIES)
    for lang in ("en", "es", "fr", "pt", "de"):
        assert len([r for r in crisis if r["lang"] == lang]) >= 12, lang
        assert len([r for r in rows if not r["category"] and r["lang"] == lang]) >= 12, lang


def test_both_tiers_on_holdout4_and_holdout5():
    """Rules and model together, as the app decides, on the two later held-out files (never
    trained or tuned on; holdout5 was committed before train_v4 was written). Issue 32's
    goals (page >= 90 %, reach >= 98 %; ordinary page <= 2 %, reach <= 10 %) are NOT all
    met: these bounds are the measured figures, to catch a regression."""
    got = tier_rates("holdout4.jsonl")
    # measured: page 44/51, reach 51/51; ordinary paged 2/34, reached 4/34
    assert got["crisis_page"] >= 0.85 and got["crisis_reach"] >= 0.98, got
    assert got["ordinary_page"] <= 0.06 and got["ordinary_reach"] <= 0.12, got
    got = tier_rates("holdout5.jsonl")
    # measured: page 55/68, reach 67/68; ordinary paged 4/61, reached 9/61
    # (before train_v4: page 49/68, reach 67/68; ordinary 3/61 and 11/61)
    assert got["crisis_page"] >= 0.80 and got["crisis_reach"] >= 0.98, got
    assert got["ordinary_page"] <= 0.07 and got["ordinary_reach"] <= 0.15, got
