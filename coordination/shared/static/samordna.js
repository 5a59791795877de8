// The page's error summary takes the focus, on a page load and after an htmx swap, so that
// a screen reader reads what is wrong and the keyboard starts from there.
(function () {
  function focusSummary(root) {
    var summary = root.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    focusSummary(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    focusSummary(event.detail.elt);
  });
})();

// A plan's blank activity row goes away in place; without JavaScript its button sends the
// form, which comes back without the row.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("button.remove-row");
  if (button) {
    event.preventDefault();
    var row = button.closest("fieldset");
    var next = row.nextElementSibling;
    row.remove();
    if (next) {
      var focusable = next.querySelector("input, select, button") || next;
      focusable.focus();
    }
  }
});

// A section the user opened or closed (a stage on the team page) stays so when the list
// refreshes itself every 30 seconds, and when the page is opened again in the same tab.
(function () {
  var KEY = "samordna.open";
  function remembered() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY) || "{}");
    } catch (error) {
      return {};
    }
  }
  function restore(root) {
    var states = remembered();
    root.querySelectorAll("details[data-remember]").forEach(function (details) {
      var state = states[details.dataset.remember];
      if (state !== undefined) {
        details.open = state;
      }
    });
  }
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (details.dataset && details.dataset.remember) {
        var states = remembered();
        states[details.dataset.remember] = details.open;
        try {
          sessionStorage.setItem(KEY, JSON.stringify(states));
        } catch (error) {
          // private browsing without storage: the sections start as the page draws them
        }
      }
    },
    true
  );
  document.addEventListener("DOMContentLoaded", function () {
    restore(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    restore(document);
  });
})();
