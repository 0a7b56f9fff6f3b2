"""Saving an edit page without changing anything writes nothing: no byte, no history row.

The forms are submitted as a browser would submit them: the page's own HTML is
read, each field takes the value the page shows, and textareas come back with
CRLF line breaks (the HTML standard's form submission), having lost the single
newline the parser drops after `<textarea>`.
"""

import json
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings

from financements.models import Allocation
from laureats.models import Impact, Objectif, Organisation, Partenariat, Projet

pytestmark = pytest.mark.django_db

SLUGS = [p["slug"] for p in json.loads((settings.BASE_DIR / "fixtures" / "laureats.json").read_text())["projets"]]
SUIVIS = (Projet, Objectif, Impact, Partenariat, Organisation, Allocation)


class _Formulaires(HTMLParser):
    """The page's POST forms, each as the list of (name, value) pairs a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.formulaires: list[dict] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._texte: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post":
            self.formulaires.append({"action": a.get("action") or "", "champs": []})
        if not self.formulaires:
            return
        champs = self.formulaires[-1]["champs"]
        if tag == "input" and a.get("name"):
            genre = a.get("type", "text")
            if genre in ("checkbox", "radio") and "checked" not in a:
                return
            if genre not in ("submit", "button", "image", "file"):
                # A ticked box without a value is sent as "on", as a browser sends it.
                champs.append((a["name"], a.get("value") or ("on" if genre in ("checkbox", "radio") else "")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._texte = a.get("name"), []

    def handle_data(self, data):
        if self._textarea is not None:
            self._texte.append(data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            choisies = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self.formulaires[-1]["champs"].extend((self._select, v) for v in choisies)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            texte = "".join(self._texte)
            # The HTML parser drops one newline right after <textarea>; submission sends CRLF line breaks.
            texte = texte.removeprefix("\n").replace("\r\n", "\n").replace("\n", "\r\n")
            self.formulaires[-1]["champs"].append((self._textarea, texte))
            self._textarea = None


def formulaires(client, url: str) -> list[dict]:
    """The page's forms that post to it or to the project's edit views (the header's logout form left out)."""
    response = client.get(url)
    assert response.status_code == 200
    parser = _Formulaires()
    parser.feed(response.content.decode())
    return [f for f in parser.formulaires if not f["action"] or f["action"].startswith("/projets/")]


def envoyer(client, url: str, formulaire: dict):
    """Post the form where the browser would: to its action, or to the page when it has none."""
    data: dict[str, list[str]] = {}
    for nom, valeur in formulaire["champs"]:
        data.setdefault(nom, []).append(valeur)
    return client.post(formulaire.get("action", "").split("#")[0] or url, data)


def etat(slug: str) -> dict:
    """Every stored byte of the project's record that its edit pages can reach, and the history's size."""
    projet = Projet.objects.filter(slug=slug)
    return {
        "projet": list(projet.values()),
        "objectifs": list(Objectif.objects.filter(projet__slug=slug).order_by("ordre").values()),
        "impacts": list(Impact.objects.filter(projet__slug=slug).order_by("ordre").values()),
        "partenariats": list(Partenariat.objects.filter(projet__slug=slug).order_by("pk").values()),
        "allocations": list(Allocation.objects.filter(projet__slug=slug).order_by("pk").values()),
        "historique": {m.__name__: m.history.count() for m in SUIVIS},
    }


def dernieres_modifications(client) -> list[tuple]:
    return [(c.date, c.type, c.objet, c.projet_slug) for c in client.get("/").context["modifications"]]


def fixture(slug: str) -> dict:
    return next(
        p
        for p in json.loads((settings.BASE_DIR / "fixtures" / "laureats.json").read_text(encoding="utf-8"))["projets"]
        if p["slug"] == slug
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_saving_the_fiche_unchanged_keeps_every_byte_and_records_nothing(charge, slug):
    url = f"/projets/{slug}/modifier/"
    avant, accueil = etat(slug), dernieres_modifications(charge)
    (formulaire,) = formulaires(charge, url)

    response = envoyer(charge, url, formulaire)

    assert response.status_code == 302, response.context["form"].errors
    assert etat(slug) == avant
    assert Projet.objects.get(slug=slug).ambition == fixture(slug)["ambition"]
    assert dernieres_modifications(charge) == accueil


@pytest.mark.parametrize("genre", ["objectifs", "impacts"])
@pytest.mark.parametrize("slug", ["biovallee", "terres-de-sources", "vilagil"])
def test_saving_each_text_unchanged_keeps_every_byte_and_records_nothing(charge, slug, genre):
    url = f"/projets/{slug}/{genre}/modifier/"
    avant, accueil = etat(slug), dernieres_modifications(charge)
    textes = [f for f in formulaires(charge, url) if re.search(r"/[0-9]+/modifier/", f["action"])]
    assert textes, "la page montre un formulaire par texte"

    for formulaire in textes:
        assert envoyer(charge, url, formulaire).status_code == 302

    assert etat(slug) == avant
    model = Objectif if genre == "objectifs" else Impact
    stockes = list(model.objects.filter(projet__slug=slug).order_by("ordre").values_list("texte", flat=True))
    assert stockes == fixture(slug)["objectifs" if genre == "objectifs" else "impacts_2030"]
    assert dernieres_modifications(charge) == accueil


@pytest.mark.parametrize("slug", ["terres-de-sources", "ambition-pyrenees", "biovallee"])
def test_saving_the_prose_around_the_objectives_unchanged_records_nothing(charge, slug):
    url = f"/projets/{slug}/objectifs/modifier/"
    avant, accueil = etat(slug), dernieres_modifications(charge)
    (formulaire,) = [f for f in formulaires(charge, url) if "/encadrement/" in f["action"]]

    assert envoyer(charge, url, formulaire).status_code == 302

    assert etat(slug) == avant
    projet = Projet.objects.get(slug=slug)
    attendu = fixture(slug)
    assert projet.objectifs_introduction == attendu["objectifs_introduction"]
    assert projet.objectifs_conclusion == attendu["objectifs_conclusion"]
    assert dernieres_modifications(charge) == accueil


def test_saving_each_partner_role_unchanged_records_nothing(charge):
    url = "/projets/belfort-montbeliard-territoire-industriel/partenaires/"
    avant, accueil = etat("belfort-montbeliard-territoire-industriel"), dernieres_modifications(charge)
    roles = [f for f in formulaires(charge, url) if f["action"].endswith("/role/")]
    assert len(roles) == 2

    for formulaire in roles:
        assert envoyer(charge, url, formulaire).status_code == 302

    assert etat("belfort-montbeliard-territoire-industriel") == avant
    assert dernieres_modifications(charge) == accueil


def test_a_real_edit_of_the_ambition_records_one_history_row_with_its_diff(charge):
    url = "/projets/biovallee/modifier/"
    (formulaire,) = formulaires(charge, url)
    ancienne = Projet.objects.get(slug="biovallee").ambition
    nouvelle = ancienne.replace("53 M€", "54 M€")
    champs = [(n, nouvelle.replace("\n", "\r\n") if n == "ambition" else v) for n, v in formulaire["champs"]]
    avant = Projet.history.filter(slug="biovallee").count()

    assert envoyer(charge, url, {"champs": champs}).status_code == 302

    projet = Projet.objects.get(slug="biovallee")
    assert projet.ambition == nouvelle and "\r" not in projet.ambition
    assert Projet.history.filter(slug="biovallee").count() == avant + 1
    dernier = projet.history.latest()
    delta = dernier.diff_against(dernier.prev_record).changes
    assert [(c.field, c.old, c.new) for c in delta] == [("ambition", ancienne, nouvelle)]
    (modification,) = [m for m in dernieres_modifications(charge) if m[3] == "biovallee"]
    assert modification[1] == "~"


def test_a_real_edit_of_an_objective_records_one_history_row_with_its_diff(charge):
    url = "/projets/biovallee/objectifs/modifier/"
    objectif = Objectif.objects.get(projet__slug="biovallee", ordre=2)
    formulaire = next(f for f in formulaires(charge, url) if f"/{objectif.pk}/modifier/" in f["action"])
    champs = [(n, "Ligne un\r\nligne deux ;" if n.endswith("-texte") else v) for n, v in formulaire["champs"]]
    avant = Objectif.history.count()

    assert envoyer(charge, url, {**formulaire, "champs": champs}).status_code == 302

    objectif.refresh_from_db()
    assert objectif.texte == "Ligne un\nligne deux ;"
    assert Objectif.history.count() == avant + 1
    dernier = objectif.history.latest()
    assert [c.field for c in dernier.diff_against(dernier.prev_record).changes] == ["texte"]
