// Schedules (conventions): "Ajouter une tranche" appends an empty row from the formset's
// <template> and counts it in TOTAL_FORMS. Without this script the form has its empty rows
// already, and works the same; the button stays hidden.
for (const bouton of document.querySelectorAll("button[data-ajouter-tranche]")) {
  const prefixe = bouton.dataset.ajouterTranche;
  const corps = document.querySelector(`tbody[data-echeancier="${prefixe}"]`);
  const modele = document.querySelector(`template[data-modele="${prefixe}"]`);
  const total = document.querySelector(`input[name="${prefixe}-TOTAL_FORMS"]`);
  const maximum = document.querySelector(`input[name="${prefixe}-MAX_NUM_FORMS"]`);
  if (!corps || !modele || !total) continue;
  bouton.hidden = false;
  bouton.addEventListener("click", () => {
    const rang = Number(total.value);
    if (maximum && rang >= Number(maximum.value)) return;
    const html = modele.innerHTML.replaceAll("__prefix__", String(rang)).replaceAll("__rang__", String(rang + 1));
    corps.insertAdjacentHTML("beforeend", html);
    total.value = String(rang + 1);
    const premier = corps.querySelector(`[name="${prefixe}-${rang}-date_prevue"]`);
    if (premier) premier.focus();
  });
}
