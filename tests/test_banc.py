"""The benchmark's verdicts (bench/mesurer.py): each target judged as the README says, on made-up figures."""

import copy
import time

from bench import mesurer, serveur_plancher


def _resume(mediane: float, p95: float | None = None) -> dict:
    return {"mediane": mediane, "p95": p95 if p95 is not None else mediane, "n": 5}


def _point(serveur: float, plancher: float, *, fixe: float = 0.5, p95: float | None = None, **extra) -> dict:
    return {
        "url": "/x",
        "requetes": 4,
        "octets": 2048,
        "octets_plancher": 1024,
        "serveur": _resume(serveur, p95),
        "plancher": _resume(plancher),
        "cout_fixe": _resume(fixe),
        "ratio": serveur / plancher,
        **extra,
    }


def _resultats() -> dict:
    petite_base = {
        "projets": 24,
        "cout_fixe": _resume(0.5),
        "points": {
            "api_projets": _point(10.0, 6.0, conditionnel={"etag": None}),
            "api_enveloppes": _point(
                2.0, 0.5, conditionnel={"etag": '"a"', "statuts": [304], "304": _resume(0.8), "ratio": 0.4}
            ),  # fmt: skip
            "api_region": _point(
                4.0, 3.0, conditionnel={"etag": '"b"', "statuts": [200], "304": _resume(4.0), "ratio": 1.0}
            ),  # fmt: skip
            "html_tableau": _point(20.0, 10.0, p95=30.0),
        },
    }
    grande_base = copy.deepcopy(petite_base)
    grande_base["projets"] = 10_000
    grande_base["points"]["api_projets"] = _point(14.0, 6.0, conditionnel={"etag": None})  # 1.4 × the 24 base
    grande_base["points"]["api_enveloppes"]["serveur"] = _resume(2.1)  # 1.05 ×, ≤ 0.5 + 3 × 0.5
    grande_base["points"]["api_region"]["serveur"] = _resume(40.0)  # grows tenfold, but its response grows
    grande_base["points"]["html_tableau"] = _point(45.0, 20.0, p95=120.0)
    return {
        "machine": {"cpu": "test", "coeurs": 2, "memoire_gio": 1, "systeme": "test", "python": "3", "django": "5",
                    "postgresql": "15", "date": "2026-12-02"},  # fmt: skip
        "charge_debut": "0", "charge_fin": "0",
        "bases": {"ti_bench_10k": grande_base, "ti_bench_24": petite_base},
        "debit": {
            "ti_bench_10k": {
                "charge_debut": "0", "charge_fin": "0", "connexions": 4, "duree": 10, "tours": 3,
                "chemins": {
                    "/api/v1/projets/?page_size=100": _debit(60.0, 100.0),
                    "/api/v1/mesures/?page_size=100": _debit(40.0, 100.0),
                },
            }
        },
    }  # fmt: skip


def _debit(portail: float, plancher: float) -> dict:
    def serveur(rps):
        essai = {"rps": rps, "latence_p50_ms": 1, "latence_p99_ms": 2, "non_2xx": 0, "erreurs_socket": ""}
        return {**essai, "essais": [essai]}

    return {"octets": {"portail": 1024, "plancher": 1024}, "portail": serveur(portail),
            "plancher": serveur(plancher), "ratio": portail / plancher}  # fmt: skip


BASES = ["ti_bench_24", "ti_bench_10k"]
DIX_MILLE = "10\u202f000 projets"  # entier() separates thousands with a narrow no-break space


def test_a_page_of_rows_is_judged_against_twice_its_floor():
    cas = mesurer.PAR_CLE["api_projets"]

    assert mesurer.temps_atteint(_point(12.0, 6.0), cas)
    assert not mesurer.temps_atteint(_point(12.1, 6.0), cas)


def test_a_small_response_is_judged_against_its_floor_plus_three_fixed_costs():
    cas = mesurer.PAR_CLE["api_enveloppes"]

    assert mesurer.cible_temps(_point(2.0, 0.5, fixe=0.5), cas)[0] == 2.0
    assert mesurer.temps_atteint(_point(2.0, 0.5, fixe=0.5), cas)
    assert not mesurer.temps_atteint(_point(2.1, 0.5, fixe=0.5), cas)
    # Twice the floor would have passed: the rule is not the pages' one.
    assert not mesurer.temps_atteint(_point(0.9, 0.5, fixe=0.1), cas)


def test_growth_is_the_largest_base_over_the_smallest_whatever_the_order_of_the_bases():
    resultats = _resultats()

    for bases in (BASES, BASES[::-1]):
        lignes = {c["cas"].cle: c for c in mesurer.croissances(resultats, bases)}
        assert round(lignes["api_projets"]["ratio"], 2) == 1.4
        assert lignes["api_projets"]["atteinte"] is True
        assert lignes["html_tableau"]["atteinte"] is False  # 2.25 ×
        assert lignes["api_region"]["atteinte"] is None  # declared growing: not judged
    assert mesurer.croissances(resultats, ["ti_bench_24"]) == []


def test_a_conditional_get_passes_only_as_a_cheap_304():
    assert mesurer.conditionnel_atteint({"etag": '"a"', "statuts": [304], "304": _resume(1), "ratio": 0.5})
    assert not mesurer.conditionnel_atteint({"etag": '"a"', "statuts": [304], "304": _resume(1), "ratio": 0.6})
    assert not mesurer.conditionnel_atteint({"etag": '"a"', "statuts": [200], "304": _resume(1), "ratio": 0.1})
    assert not mesurer.conditionnel_atteint({"etag": None})


def test_every_target_gets_its_verdict():
    lignes = mesurer.verdicts(_resultats(), BASES)
    texte = "\n".join(lignes)

    assert f"- débit GET /api/v1/projets/?page_size=100 à {DIX_MILLE} ≥ 0.5 × plancher : oui" in texte
    assert f"- débit GET /api/v1/mesures/?page_size=100 à {DIX_MILLE} ≥ 0.5 × plancher : NON" in texte
    temps = next(ligne for ligne in lignes if ligne.startswith("- temps serveur GET /api/v1/projets/?page_size"))
    assert "24 projets : oui" in temps and f"{DIX_MILLE} : NON" in temps  # 10/6 then 14/6
    assert "- p95 < 100 ms (GET /financements/regions/84/?page=1 (HTML, directeur·rice)) : NON" in texte
    assert "GET /api/v1/projets/?page_size=100 à 24 projets : NON (pas d'ETag)" in texte
    assert "GET /api/v1/enveloppes/ à 24 projets : oui" in texte
    assert "à 24 projets : NON (statut 200 au lieu de 304)" in texte
    assert "croissance GET /api/v1/regions/84/financements/ (jeton chargé·e) : réponse croissante" in texte
    assert "- requêtes identiques à 24 et à 10 000 projets : oui" in texte
    # Every line but the title carries a verdict (or says why it is not judged).
    for ligne in lignes[1:]:
        assert " oui" in ligne or " NON" in ligne or "réponse croissante" in ligne, ligne


def test_a_different_number_of_queries_is_named():
    resultats = _resultats()
    resultats["bases"]["ti_bench_10k"]["points"]["api_projets"]["requetes"] = 5

    assert "- requêtes identiques à 24 et à 10 000 projets : NON : api_projets (4, 5)" in mesurer.verdicts(
        resultats, BASES
    )


def test_the_table_renders_each_endpoint_with_its_kind_and_verdict():
    texte = mesurer.tableau(_resultats(), BASES)

    assert "| GET /api/v1/enveloppes/ | petite réponse | 24 projets | 2.0 |" in texte
    assert "| ≤ plancher + 3 × coût fixe (0.50) = 2.0 | oui |" in texte
    assert f"| GET /api/v1/projets/?page_size=100 | page de lignes | {DIX_MILLE} | 14.0 |" in texte
    assert "| ≤ 2 × plancher = 12.0 | NON |" in texte
    assert "| GET /api/v1/projets/?page_size=100 | 24 projets | 10.0 | pas d'ETag | – | NON |" in texte
    assert "| 4.0 | 40.0 | 10.00 | réponse croissante (non jugé) |" in texte


def test_the_floor_server_answers_only_the_measured_urls():
    statuts = []

    def start_response(statut, entetes):
        statuts.append(statut)

    corps = serveur_plancher.application(
        {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/projets/", "QUERY_STRING": "page_size=20"}, start_response
    )

    assert statuts == ["404 Not Found"] and corps == [b""]
    assert "/api/v1/projets/?page_size=100" in serveur_plancher.ROUTES
    assert "/api/v1/mesures/?page_size=100" in serveur_plancher.ROUTES


def test_timing_stops_once_the_budget_is_spent_but_not_before_the_minimum():
    appels = []

    def lente():
        appels.append(1)
        time.sleep(0.02)

    (temps,) = mesurer.chronometrer(lente, repetitions=50, budget=0.05, minimum=5)
    assert 5 <= len(temps) < 10 and len(appels) == len(temps)

    (temps,) = mesurer.chronometrer(lente, repetitions=3, budget=0.0, minimum=5)
    assert len(temps) == 3  # never more than asked
