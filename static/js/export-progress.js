// The export page, while the file is being built: show its progress, and reload the
// page once it is finished. Without JavaScript the page refreshes itself instead.
(function () {
  var box = document.getElementById("export-progress");
  if (!box || !window.fetch) return;
  var bar = document.getElementById("export-progress-bar");
  var text = document.getElementById("export-progress-text");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        bar.value = status.progress;
        bar.textContent = status.progress + "%";
        text.textContent = status.progress + "% done.";
        if (status.finished) { window.location.reload(); } else { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
