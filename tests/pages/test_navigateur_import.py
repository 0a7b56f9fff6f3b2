"""In the browser: a partner downloads the template, fills it in and imports it; a refused file lists its errors."""

from openpyxl import load_workbook

from indicateurs.models import Mesure
from tests.pages.test_navigateur import (  # noqa: F401  (fixtures, found by pytest under these names)
    compte_avec_mot_de_passe,
    navigateur,
    pytestmark,
    visite,
)

BIO = "biovallee-part-agriculture-bio"


def test_a_partner_fills_the_downloaded_template_and_imports_it(visite):  # noqa: F811
    compte_avec_mot_de_passe("partenaire", "pauline")
    v = visite("import-partenaire")
    v.connecter("pauline")
    v.aller("/indicateurs/mesures/import/")
    v.capture("formulaire")

    modele = v.telecharger("Télécharger le modèle (.xlsx)")
    classeur = load_workbook(modele)
    feuille = classeur["Mesures"]
    numero = next(
        r
        for r in range(2, feuille.max_row + 1)
        if feuille.cell(r, 2).value == BIO and feuille.cell(r, 5).value == "2024"
    )
    feuille.cell(numero, 12, "31,5")
    feuille.cell(numero, 14, "Agence Bio")
    classeur.save(modele)

    v.page.set_input_files("#id_fichier", str(modele))
    v.page.get_by_role("button", name="Importer").click()
    v.page.wait_for_load_state()
    assert "importé" in v.page.locator(".fr-alert--success").inner_text()
    v.capture("importe")
    assert Mesure.objects.filter(indicateur__code=BIO, date__year=2024, auteur__username="pauline").exists()

    # The same file again: the period now holds the value just submitted.
    v.aller("/indicateurs/mesures/import/")
    v.page.set_input_files("#id_fichier", str(modele))
    v.page.get_by_role("button", name="Importer").click()
    v.page.wait_for_load_state()
    assert "la période « 2024 » a déjà une valeur" in v.page.locator("table").inner_text()
    v.capture("refuse")
    v.verifier_tout_local()
