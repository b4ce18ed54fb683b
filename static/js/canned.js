/* Canned replies: choosing one puts its text in the reply box (the analyst can still edit it)
   and lets the segment counter recount. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select.canned")) return;
    var option = select.options[select.selectedIndex];
    var target = document.getElementById(select.dataset.target);
    if (!target || !option || !option.dataset.body) return;
    target.value = option.dataset.body;
    target.dispatchEvent(new Event("input", { bubbles: true }));
    target.focus();
  });
})();
