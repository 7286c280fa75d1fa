// Shows staff why a picture upload was refused (django-markdownx only logs it to the console).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".markdownx").forEach(function (box) {
    var note = null;
    function clear() {
      if (note) {
        note.remove();
        note = null;
      }
    }
    box.addEventListener("markdownx.fileUploadError", function (event) {
      var response = event.detail && event.detail[0];
      var messages = (response && response.image) || ["The picture could not be uploaded."];
      clear();
      note = document.createElement("p");
      note.className = "errornote";
      note.setAttribute("role", "alert");
      note.textContent = messages.join(" ");
      box.prepend(note);
      // django-markdownx types "Invalid response" into the text right after this event.
      setTimeout(function () {
        var editor = box.querySelector("textarea");
        editor.value = editor.value.replace("Invalid response", "");
      }, 0);
    });
    box.addEventListener("markdownx.fileUploadEnd", clear);
  });
});
