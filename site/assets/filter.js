/* Status filters: a fieldset[data-filter-target] of checkboxes hides the rows
   (elements with data-status) of its target whose status is unchecked. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var sets = document.querySelectorAll("fieldset.filter[data-filter-target]");
    Array.prototype.forEach.call(sets, function (set) {
      var target = document.getElementById(set.getAttribute("data-filter-target"));
      if (!target) { return; }
      set.hidden = false;
      function update() {
        var on = {};
        Array.prototype.forEach.call(set.querySelectorAll("input[type=checkbox]"), function (box) {
          on[box.value] = box.checked;
        });
        Array.prototype.forEach.call(target.querySelectorAll("[data-status]"), function (row) {
          var status = row.getAttribute("data-status");
          row.hidden = on.hasOwnProperty(status) && !on[status];
        });
      }
      set.addEventListener("change", update);
      update();
    });
  });
})();
