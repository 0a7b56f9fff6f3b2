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
});
