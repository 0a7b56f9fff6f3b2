"""Verdict of `make mutation`: the score, the survivors, and whether each one is a known equivalent.

    python -m mutation.bilan [indicateurs/evaluation/regles.py ...]

Reads what mutmut left in mutants/. A survivor is matched against
mutation/equivalents.toml by module, function, the changed lines (before and
after, stripped) and the unchanged line just above them, never by mutmut's
number: the number shifts as soon as a mutation is added or removed earlier in
the same function, the lines do not. The line above tells apart two identical
lines of one function (two `return None, False` in indicateurs.evaluation.regles._origine).
Exit status 1 when a survivor is not listed or when mutants were left unchecked.
"""

import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code
from mutmut.utils.format_utils import orig_function_and_class_names_from_key

from mutation.lancer import MODULES

EQUIVALENTS = Path(__file__).resolve().parent / "equivalents.toml"
# A timeout is a kill: the mutant made the tests loop, which they noticed.
TUES = {"killed", "timeout", "caught by type check"}
# What a test could have caught and did not: either a new test or a listed equivalent.
SURVIVANTS = {"survived", "no tests"}


@dataclass(frozen=True)
class Cle:
    module: str
    fonction: str
    contexte: str
    avant: str
    apres: str


@dataclass(frozen=True)
class Mutant:
    nom: str
    statut: str
    cle: Cle


def cle_du_diff(*, module: str, fonction: str, diff: str) -> Cle:
    contexte, avant, apres = "", [], []
    for ligne in diff.splitlines():
        if ligne.startswith(("---", "+++", "@@")):
            continue
        if ligne.startswith("-"):
            avant.append(ligne[1:].strip())
        elif ligne.startswith("+"):
            apres.append(ligne[1:].strip())
        elif not (avant or apres) and ligne.strip():
            contexte = ligne.strip()
    return Cle(module=module, fonction=fonction, contexte=contexte, avant="\n".join(avant), apres="\n".join(apres))


def mutants_lire(*, modules: list[str]) -> list[Mutant]:
    mutants = []
    for chemin in modules:
        donnees = SourceFileMutationData(path=chemin)
        donnees.load()
        module = chemin.removesuffix(".py").replace("/", ".")
        for nom, code in sorted(donnees.exit_code_by_key.items()):
            statut = status_by_exit_code[code]
            fonction, classe = orig_function_and_class_names_from_key(nom)
            fonction = f"{classe}.{fonction}" if classe else fonction
            # The diff is only needed to name survivors; reading it for every mutant would parse the file each time.
            diff = get_diff_for_mutant(nom, path=chemin) if statut not in TUES else ""
            mutants.append(Mutant(nom=nom, statut=statut, cle=cle_du_diff(module=module, fonction=fonction, diff=diff)))
    return mutants


def equivalents_lire(chemin: Path = EQUIVALENTS) -> dict[Cle, str]:
    entrees = tomllib.loads(chemin.read_text("utf-8")).get("equivalent", [])
    return {
        Cle(
            module=e["module"],
            fonction=e["fonction"],
            contexte=e["contexte"].strip(),
            avant=e["avant"].strip(),
            apres=e["apres"].strip(),
        ): e["raison"]
        for e in entrees
    }


def _afficher(mutant: Mutant) -> None:
    print(f"  {mutant.nom} [{mutant.statut}] {mutant.cle.module}.{mutant.cle.fonction}")
    print(f"      {mutant.cle.contexte}")
    for ligne in mutant.cle.avant.splitlines():
        print(f"    - {ligne}")
    for ligne in mutant.cle.apres.splitlines():
        print(f"    + {ligne}")


def main() -> int:
    modules = sys.argv[1:] or list(MODULES)
    mutants = mutants_lire(modules=modules)
    if not mutants:
        print("Aucun résultat de mutation : lancer d'abord `make mutation`.")
        return 1
    equivalents = equivalents_lire()
    par_statut = Counter(m.statut for m in mutants)
    tues = sum(par_statut[s] for s in TUES)
    survivants = [m for m in mutants if m.statut in SURVIVANTS]
    listes = [m for m in survivants if m.cle in equivalents]
    non_listes = [m for m in survivants if m.cle not in equivalents]
    inacheves = [m for m in mutants if m.statut not in TUES | SURVIVANTS]
    total = len(mutants)

    print()
    print(f"Mutation de {', '.join(modules)}")
    print("  " + ", ".join(f"{statut} : {nombre}" for statut, nombre in sorted(par_statut.items())))
    print(f"Score : {tues}/{total} mutants tués ({100 * tues / total:.1f} %)")
    print(f"        {tues + len(listes)}/{total} en comptant les {len(listes)} équivalents listés")
    for module in modules:
        du_module = [m for m in mutants if m.cle.module == module.removesuffix(".py").replace("/", ".")]
        tues_module = sum(1 for m in du_module if m.statut in TUES)
        print(f"  {module} : {tues_module}/{len(du_module)}")

    courants = {m.cle for m in survivants}
    perimes = [c for c in equivalents if c.module in {m.cle.module for m in mutants} and c not in courants]
    if perimes:
        print(f"\n{len(perimes)} équivalent(s) listé(s) sans survivant correspondant (code changé ou mutant tué) :")
        for cle in perimes:
            print(f"  {cle.module}.{cle.fonction} : après {cle.contexte!r}, {cle.avant!r} -> {cle.apres!r}")
    if inacheves:
        print(f"\n{len(inacheves)} mutant(s) non conclus (run interrompu, ignoré ou suspect) :")
        for mutant in inacheves:
            _afficher(mutant)
    if non_listes:
        print(f"\n{len(non_listes)} survivant(s) ni tués ni listés dans {EQUIVALENTS.name} :")
        for mutant in non_listes:
            _afficher(mutant)
        print("Tuer chacun par un test, ou l'ajouter à mutation/equivalents.toml avec la raison de l'équivalence.")
    return 1 if non_listes or inacheves else 0


if __name__ == "__main__":
    sys.exit(main())
