import { enFrancais } from "./formats.js";

// DSFR Chart draws its map inside a shadow root, where the page's style sheets do
// not reach: each map gets the DSFR and DSFR Chart sheets (served by the portal
// itself, already in the browser's cache), listed in its container's data-styles.
customElements.whenDefined("map-chart").then(() => {
  for (const conteneur of document.querySelectorAll("[data-styles]")) {
    const feuilles = JSON.parse(conteneur.dataset.styles);
    for (const carte of conteneur.querySelectorAll("map-chart")) {
      const racine = carte.shadowRoot;
      if (!racine || racine.querySelector("link[data-ti]")) continue;
      for (const href of feuilles) {
        const lien = document.createElement("link");
        lien.rel = "stylesheet";
        lien.href = href;
        lien.dataset.ti = "";
        racine.prepend(lien);
      }
    }
  }
  for (const carte of document.querySelectorAll("map-chart[data-unite]")) {
    if (carte.shadowRoot) infobulleEnFrancais(carte);
  }
});

// DSFR Chart 2.0 has no option to format its tooltip: it prints the region's raw
// number ("11.41"). Each time the component writes it, it is rewritten in French
// with the map's unit ("11,41 M€"); the component writes the text again only when
// the value changes, and a text already in French is left alone.
function infobulleEnFrancais(carte) {
  const options = {
    decimales: Number(carte.dataset.decimales || 0),
    unite: carte.dataset.unite,
    unitePluriel: carte.dataset.unitePluriel || "",
  };
  const reecrire = () => {
    for (const valeur of carte.shadowRoot.querySelectorAll(".tooltip_value")) {
      const texte = enFrancais(valeur.textContent, options);
      if (texte !== null) valeur.textContent = texte;
    }
  };
  new MutationObserver(reecrire).observe(carte.shadowRoot, { childList: true, subtree: true, characterData: true });
  reecrire();
}
