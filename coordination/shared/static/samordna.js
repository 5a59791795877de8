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
