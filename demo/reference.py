"""Reference data of the demo network: techniques, languages and insurers, in English and French.

These are real (the techniques practised in Canadian clinics, the languages of care most asked for,
the insurers clinics bill directly), so ``reference_load`` is also fine for a real database.
"""

from __future__ import annotations

from django.db import transaction

from clinics.models import BilingualName, Discipline, Insurer, Language, Technique

PHYSIO = Discipline.PHYSIOTHERAPY.value
CHIRO = Discipline.CHIROPRACTIC.value
MASSAGE = Discipline.MASSAGE_THERAPY.value

# slug: (English, French, disciplines that practise it)
TECHNIQUES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "active-release-technique": (
        "Active Release Technique (ART)",
        "Technique de relâchement actif (ART)",
        (PHYSIO, CHIRO, MASSAGE),
    ),
    "graston-technique": ("Graston Technique", "Technique Graston", (PHYSIO, CHIRO)),
    "dry-needling": ("Dry needling", "Puncture sèche", (PHYSIO, CHIRO)),
    "acupuncture": ("Acupuncture", "Acupuncture", (PHYSIO, CHIRO)),
    "intramuscular-stimulation": ("Intramuscular stimulation (IMS)", "Stimulation intramusculaire (IMS)", (PHYSIO,)),
    "swedish-massage": ("Massage (Swedish)", "Massage suédois", (MASSAGE,)),
    "deep-tissue-massage": ("Deep tissue massage", "Massage des tissus profonds", (MASSAGE,)),
    "sports-massage": ("Sports massage", "Massage sportif", (MASSAGE,)),
    "prenatal-massage": ("Prenatal massage", "Massage prénatal", (MASSAGE,)),
    "hot-stone-massage": ("Hot stone massage", "Massage aux pierres chaudes", (MASSAGE,)),
    "manual-lymphatic-drainage": ("Manual lymphatic drainage", "Drainage lymphatique manuel", (MASSAGE, PHYSIO)),
    "trigger-point-therapy": ("Trigger point therapy", "Thérapie des points gâchettes", (MASSAGE, PHYSIO)),
    "rolfing-structural-integration": ("Rolfing structural integration", "Intégration structurale Rolfing", (MASSAGE,)),
    "myofascial-release": ("Myofascial release", "Relâchement myofascial", (PHYSIO, CHIRO, MASSAGE)),
    "cupping": ("Cupping", "Ventouses (cupping)", (PHYSIO, CHIRO, MASSAGE)),
    "kinesio-taping": ("Kinesio taping", "Taping neuromusculaire (Kinesio)", (PHYSIO, CHIRO, MASSAGE)),
    "spinal-manipulation": ("Spinal manipulation", "Manipulation vertébrale", (CHIRO, PHYSIO)),
    "activator-method": ("Activator Method", "Méthode Activator", (CHIRO,)),
    "mckenzie-method": ("McKenzie method", "Méthode McKenzie", (PHYSIO,)),
    "vestibular-rehabilitation": ("Vestibular rehabilitation", "Rééducation vestibulaire", (PHYSIO,)),
    "pelvic-floor-physiotherapy": ("Pelvic floor physiotherapy", "Rééducation périnéale et pelvienne", (PHYSIO,)),
    "concussion-rehabilitation": ("Concussion rehabilitation", "Réadaptation post-commotion", (PHYSIO,)),
    "shockwave-therapy": ("Shockwave therapy", "Thérapie par ondes de choc", (PHYSIO, CHIRO)),
}

# ISO 639 code: (English, French). "yue" (Cantonese) has no two-letter code.
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "Anglais"),
    "fr": ("French", "Français"),
    "zh": ("Mandarin", "Mandarin"),
    "yue": ("Cantonese", "Cantonais"),
    "pa": ("Punjabi", "Pendjabi"),
    "es": ("Spanish", "Espagnol"),
    "ar": ("Arabic", "Arabe"),
    "tl": ("Tagalog", "Tagalog"),
    "it": ("Italian", "Italien"),
    "pt": ("Portuguese", "Portugais"),
    "hi": ("Hindi", "Hindi"),
    "fa": ("Persian (Farsi)", "Persan (farsi)"),
    "ko": ("Korean", "Coréen"),
    "vi": ("Vietnamese", "Vietnamien"),
    "ur": ("Urdu", "Ourdou"),
    "ta": ("Tamil", "Tamoul"),
    "gu": ("Gujarati", "Goudjarati"),
    "de": ("German", "Allemand"),
    "pl": ("Polish", "Polonais"),
    "ru": ("Russian", "Russe"),
    "uk": ("Ukrainian", "Ukrainien"),
    "el": ("Greek", "Grec"),
    "ht": ("Haitian Creole", "Créole haïtien"),
    "iu": ("Inuktitut", "Inuktitut"),
}

# slug: (English, French). iA Financial Group is Industrial Alliance's current name: one entry.
INSURERS: dict[str, tuple[str, str]] = {
    "sun-life": ("Sun Life", "Sun Life"),
    "manulife": ("Manulife", "Manuvie"),
    "canada-life": ("Canada Life", "Canada Vie"),
    "green-shield-canada": ("Green Shield Canada", "Green Shield Canada"),
    "desjardins-insurance": ("Desjardins Insurance", "Desjardins Assurances"),
    "ia-financial-group": ("iA Financial Group", "iA Groupe financier"),
    "beneva": ("Beneva", "Beneva"),
    "rbc-insurance": ("RBC Insurance", "RBC Assurances"),
    "empire-life": ("Empire Life", "Empire Vie"),
    "equitable-life": ("Equitable Life", "Équitable, compagnie d'assurance vie"),
    "claimsecure": ("ClaimSecure", "ClaimSecure"),
    "co-operators": ("Co-operators", "Co-operators"),
    "medavie-blue-cross": ("Medavie Blue Cross", "Croix Bleue Medavie"),
    "alberta-blue-cross": ("Alberta Blue Cross", "Croix Bleue de l'Alberta"),
    "pacific-blue-cross": ("Pacific Blue Cross", "Croix Bleue du Pacifique"),
    "manitoba-blue-cross": ("Manitoba Blue Cross", "Croix Bleue du Manitoba"),
    "saskatchewan-blue-cross": ("Saskatchewan Blue Cross", "Croix Bleue de la Saskatchewan"),
    "quebec-blue-cross": ("Quebec Blue Cross", "Croix Bleue du Québec"),
}


def reference_load() -> None:
    """Insert or update the techniques, languages and insurers above (by slug); other rows are left alone."""
    with transaction.atomic():
        _upsert(Technique, {slug: (en, fr) for slug, (en, fr, _) in TECHNIQUES.items()})
        _upsert(Language, LANGUAGES)
        _upsert(Insurer, INSURERS)


def _upsert(model: type[BilingualName], names: dict[str, tuple[str, str]]) -> None:
    model._default_manager.bulk_create(
        [model(slug=slug, name=en, name_fr=fr) for slug, (en, fr) in names.items()],
        update_conflicts=True,
        unique_fields=["slug"],
        update_fields=["name", "name_fr"],
    )
