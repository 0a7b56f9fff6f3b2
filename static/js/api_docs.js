// Starts Swagger UI in #api-docs (templates/api_docs.html), from a file: the
// Content-Security-Policy runs no inline script.
"use strict";

(() => {
  const conteneur = document.getElementById("api-docs");

  // Swagger UI draws an enumerated parameter as a <select> with no label (axe: select-name,
  // critical). Its plugin API wraps the field components: each field gets a <label> holding
  // the parameter's name, read by screen readers only.
  const libelle = (Original, system) => (props) => {
    const h = system.React.createElement;
    if (!props.description) {
      return h(Original, props);
    }
    return h(
      "label",
      { className: "ti-api-champ" },
      h("span", { className: "fr-sr-only" }, `Valeur de ${props.description}`),
      h(Original, props),
    );
  };
  // The close button of the "Authorize" dialog is an icon with no name (axe: button-name,
  // critical): the icon gets a text for screen readers. The dialog's buttons name
  // themselves by an aria-label that differs from their visible text (WCAG 2.5.3, label in
  // name): a button with a visible text is named by that text.
  const fermer = (Original, system) => (props) => {
    const h = system.React.createElement;
    return h(system.React.Fragment, null, h(Original, props), h("span", { className: "fr-sr-only" }, "Fermer"));
  };
  const bouton = (Original, system) => (props) => {
    const texte = typeof props.children === "string" && props.children.trim();
    return system.React.createElement(Original, texte ? { ...props, "aria-label": undefined } : props);
  };
  // The schema declares one server, the portal itself ("/"): Swagger UI would still draw a
  // chooser, a <select> whose <label> has no text (axe: select-name, critical). With a
  // single server there is nothing to choose and requests go to it anyway.
  const serveurs = (Original, system) => (props) =>
    system.specSelectors.servers().size > 1 ? system.React.createElement(Original, props) : null;
  const accessible = () => ({
    wrapComponents: {
      ServersContainer: serveurs,
      JsonSchema_string: libelle,
      JsonSchema_boolean: libelle,
      CloseIcon: fermer,
      Button: bouton,
    },
  });

  // The portal's session authenticates the "Try it out" requests of a signed-in user:
  // Django wants its CSRF token on every write.
  const requestInterceptor = (request) => {
    if (!["GET", "HEAD", "OPTIONS", undefined].includes(request.method)) {
      request.headers["X-CSRFToken"] = conteneur.dataset.csrf;
    }
    return request;
  };

  conteneur.replaceChildren();
  window.SwaggerUIBundle({
    url: conteneur.dataset.schema,
    domNode: conteneur,
    presets: [window.SwaggerUIBundle.presets.apis],
    plugins: [accessible],
    layout: "BaseLayout",
    requestInterceptor,
    // The highlighter paints code with its own colours (too little contrast) in a
    // scrolling box the keyboard cannot reach; plain <pre> blocks follow the page's styles.
    syntaxHighlight: false,
  });
})();
