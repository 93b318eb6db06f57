// Upload form: sends the file as the raw body of POST
// /v1/datasets/{name}/ingest (the API's one way to ingest), showing upload
// progress and, on failure, the server's error message in place.
(function () {
  const form = document.getElementById("upload-form");
  const progress = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const error = document.getElementById("upload-error");
  const button = document.getElementById("upload-button");

  function formatOf(fileName) {
    const ext = fileName.toLowerCase().split(".").pop();
    if (ext === "parquet") return "parquet";
    if (ext === "json" || ext === "ndjson" || ext === "jsonl") return "json";
    return "csv";
  }

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
    status.textContent = "";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const dataset = document.getElementById("upload-dataset").value.trim();
    const file = document.getElementById("upload-file").files[0];
    if (!dataset || !file) return;
    const format = document.getElementById("upload-format").value || formatOf(file.name);
    const params = new URLSearchParams({
      format: format,
      mode: document.getElementById("upload-mode").value,
      file_name: file.name,
    });
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/datasets/" + encodeURIComponent(dataset) + "/ingest?" + params);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    error.hidden = true;
    progress.hidden = false;
    progress.value = 0;
    button.disabled = true;
    status.textContent = "Uploading " + file.name + "…";
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) progress.value = (100 * e.loaded) / e.total;
    });
    xhr.upload.addEventListener("load", () => {
      progress.value = 100;
      status.textContent = "Converting and committing…";
    });
    xhr.addEventListener("load", () => {
      button.disabled = false;
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (e) {
        // not JSON: reported below
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) {
        status.replaceChildren();
        const link = document.createElement("a");
        link.href = "/ui/datasets/" + encodeURIComponent(body.dataset) + "?version=" + body.version;
        link.id = "upload-result";
        link.textContent =
          body.dataset + " version " + body.version + ": " + body.rows_added + " rows added, " + body.rows + " rows in all";
        status.append("Done. ", link);
        return;
      }
      const message = body && body.error ? body.error.message : xhr.responseText || "HTTP " + xhr.status;
      showError("Upload failed (HTTP " + xhr.status + "): " + message);
    });
    xhr.addEventListener("error", () => {
      button.disabled = false;
      showError("Upload failed: the server could not be reached.");
    });
    xhr.send(file);
  });
})();
