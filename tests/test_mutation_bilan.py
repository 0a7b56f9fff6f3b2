"""`make mutation`'s verdict: how a survivor is named, and the list of equivalent mutants it is matched against."""

from mutation import bilan

DIFF = """--- indicateurs/evaluation/regles.py
+++ indicateurs/evaluation/regles.py
@@ -1,9 +1,9 @@
 def _origine(valeur_reference, date_reference, echeance, premiere, derniere):
     if valeur_reference is not None:
         origine, constatee = Releve(valeur_reference, date_reference or DEBUT_PROGRAMME), False
     elif premiere is not None and derniere is not None and premiere.date < derniere.date:
         origine, constatee = premiere, True
     else:
         return None, False
     if origine.date >= echeance:
-        return None, False
+        return None, True
     return origine, constatee"""


def test_a_survivor_is_named_by_its_changed_lines_and_the_line_above_not_by_mutmut_s_number():
    cle = bilan.cle_du_diff(module="indicateurs.evaluation.regles", fonction="_origine", diff=DIFF)

    assert cle == bilan.Cle(
        module="indicateurs.evaluation.regles",
        fonction="_origine",
        contexte="if origine.date >= echeance:",
        avant="return None, False",
        apres="return None, True",
    )


def test_the_same_line_twice_in_a_function_gives_two_keys():
    # The first `return None, False` (under `else:`) is untouched in DIFF: only the second one is this mutant.
    autre = DIFF.replace(
        "     else:\n         return None, False", "     else:\n-        return None, False\n+        return None, True"
    ).replace(
        "-        return None, False\n+        return None, True\n     return",
        "         return None, False\n     return",
    )

    premiere = bilan.cle_du_diff(module="indicateurs.evaluation.regles", fonction="_origine", diff=autre)
    seconde = bilan.cle_du_diff(module="indicateurs.evaluation.regles", fonction="_origine", diff=DIFF)

    assert (premiere.contexte, seconde.contexte) == ("else:", "if origine.date >= echeance:")
    assert premiere != seconde


def test_every_listed_equivalent_says_why():
    equivalents = bilan.equivalents_lire()

    assert equivalents
    for cle, raison in equivalents.items():
        # The context is empty only for a mutated signature: no line of the function stands above it.
        assert cle.module and cle.fonction and cle.avant and cle.apres
        assert cle.contexte or cle.avant.startswith("def "), cle
        assert len(raison.split()) >= 10, cle
