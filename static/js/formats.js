// Figures in French for the scripts of the portal, written as the server writes them
// (laureats/templatetags/montants.py): "11,41 M€", thousands by a narrow no-break space.

const INSECABLE = "\u00a0"; // between a figure and its unit

// "11.41" (a number as a script prints it) -> "11,41 M€"; null for any other text
// (already written in French, or empty), so that rewriting twice changes nothing.
export function enFrancais(texte, { decimales = 0, unite = "", unitePluriel = "" } = {}) {
  const brut = String(texte).trim();
  if (!/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(brut)) return null;
  const valeur = Number(brut);
  // Intl rounds half away from zero, as the server does; the map's data is already rounded.
  const chiffre = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: decimales }).format(valeur);
  // French plural rules: 0 and 1 take the singular ("0 lauréat", "1 lauréat", "2 lauréats").
  const libelle = unitePluriel && new Intl.PluralRules("fr-FR").select(valeur) !== "one" ? unitePluriel : unite;
  return libelle ? `${chiffre}${INSECABLE}${libelle}` : chiffre;
}
