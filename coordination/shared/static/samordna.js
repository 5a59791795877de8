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
