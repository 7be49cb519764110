"""PainHero's default care plan templates, one per condition and language (a clinic edits its own copy)."""

from typing import Any

from django.db import migrations

TAPER = [[3, 2], [2, 2], [1, 2]]  # three a week for two weeks, then two, then one
GENTLE = [[2, 2], [1, 4]]
MEASURES = ["nprs", "psfs", "groc"]

TEMPLATES: list[dict[str, Any]] = [
    {
        "condition": "lower_back",
        "phases": TAPER,
        "en": {
            "title": "Lower back pain",
            "goals": "Less pain day to day; sit, bend and lift again without fear.",
            "home_exercises": "Walk 10-20 minutes a day; knees to chest and pelvic tilts, 10 each, twice a day.",
            "insurance_note": "Most extended health plans cover physiotherapy up to a yearly amount; ask your "
            "insurer how much is left and whether a referral is needed.",
        },
        "fr": {
            "title": "Douleur au bas du dos",
            "goals": "Moins de douleur au quotidien; s'asseoir, se pencher et soulever à nouveau sans crainte.",
            "home_exercises": "Marcher 10 à 20 minutes par jour; genoux à la poitrine et bascules du bassin, "
            "10 de chaque, deux fois par jour.",
            "insurance_note": "La plupart des assurances collectives remboursent la physiothérapie jusqu'à un "
            "montant annuel; demandez à votre assureur ce qu'il reste et si une recommandation est nécessaire.",
        },
    },
    {
        "condition": "neck",
        "phases": TAPER,
        "en": {
            "title": "Neck pain",
            "goals": "Turn your head freely; work at a screen without pain.",
            "home_exercises": "Chin tucks and gentle rotations, 10 each, three times a day; a break every hour.",
            "insurance_note": "Extended health plans usually cover physiotherapy, chiropractic or massage "
            "therapy up to a yearly amount each.",
        },
        "fr": {
            "title": "Douleur au cou",
            "goals": "Tourner la tête librement; travailler à l'écran sans douleur.",
            "home_exercises": "Rentrer le menton et rotations douces, 10 de chaque, trois fois par jour; une "
            "pause chaque heure.",
            "insurance_note": "Les assurances collectives remboursent en général la physiothérapie, la "
            "chiropratique ou la massothérapie jusqu'à un montant annuel chacune.",
        },
    },
    {
        "condition": "shoulder",
        "phases": GENTLE,
        "en": {
            "title": "Shoulder pain",
            "goals": "Reach overhead and behind your back; sleep on that side.",
            "home_exercises": "Pendulum swings and wall slides, 10 each, twice a day.",
            "insurance_note": "Physiotherapy is commonly covered by extended health plans up to a yearly amount.",
        },
        "fr": {
            "title": "Douleur à l'épaule",
            "goals": "Lever le bras au-dessus de la tête et derrière le dos; dormir sur ce côté.",
            "home_exercises": "Mouvements de pendule et glissements au mur, 10 de chaque, deux fois par jour.",
            "insurance_note": "La physiothérapie est souvent remboursée par les assurances collectives jusqu'à "
            "un montant annuel.",
        },
    },
    {
        "condition": "knee",
        "phases": GENTLE,
        "en": {
            "title": "Knee pain",
            "goals": "Climb stairs and walk longer without pain.",
            "home_exercises": "Straight leg raises and sit-to-stand, 10 each, twice a day.",
            "insurance_note": "Physiotherapy is commonly covered by extended health plans up to a yearly amount.",
        },
        "fr": {
            "title": "Douleur au genou",
            "goals": "Monter les escaliers et marcher plus longtemps sans douleur.",
            "home_exercises": "Élévations de la jambe tendue et lever de chaise, 10 de chaque, deux fois par jour.",
            "insurance_note": "La physiothérapie est souvent remboursée par les assurances collectives jusqu'à "
            "un montant annuel.",
        },
    },
]


def seed(apps: Any, schema_editor: Any) -> None:
    template = apps.get_model("patients", "CarePlanTemplate")
    for item in TEMPLATES:
        for language in ("en", "fr"):
            template.objects.update_or_create(
                clinic=None,
                condition=item["condition"],
                language=language,
                defaults={**item[language], "phases": item["phases"], "outcome_measures": MEASURES},
            )


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("patients", "CarePlanTemplate").objects.filter(clinic=None).delete()


class Migration(migrations.Migration):
    dependencies = [("patients", "0003_care_plans")]
    operations = [migrations.RunPython(seed, unseed)]
