// Excel exports: show only the period fields that suit the chosen kind of export. Without JavaScript every
// fieldset stays visible, and the server ignores the ones that do not apply.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-export-form]").forEach((form) => {
    const kind = form.querySelector("select[name=kind]");
    if (!kind) return;
    const update = () => {
      form.querySelectorAll("fieldset[data-export-for]").forEach((fieldset) => {
        fieldset.hidden = !fieldset.dataset.exportFor.split(" ").includes(kind.value);
      });
    };
    kind.addEventListener("change", update);
    update();
  });
});
