// A <select data-navigation> whose options' values are addresses: choosing one opens it
// (the dashboard's region picker). A file rather than an onchange attribute: the
// Content-Security-Policy runs no inline code.
for (const choix of document.querySelectorAll("select[data-navigation]")) {
  choix.addEventListener("change", () => {
    if (choix.value) window.location.assign(choix.value);
  });
}
