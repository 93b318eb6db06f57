// Upload form: sends the file as the raw body of POST
// /v1/datasets/{name}/ingest (the API's one way to ingest), showing upload
// progress and, on failure, the error beside the field it concerns (or
// under the form when it concerns the file's content).
(function () {
  const form = document.getElementById("upload-form");
  const progress = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const error = document.getElementById("upload-error");
  const button = document.getElementById("upload-button");
  const datasetInput = document.getElementById("upload-dataset");
  const fileInput = document.getElementById("upload-file");
  const formatSelect = document.getElementById("upload-format");
  const csvOptions = document.getElementById("csv-options");
  const hint = document.getElementById("upload-dataset-hint");
  const NAME = /^[a-z][a-z0-9_]{0,62}$/;
  // The ingest API's CSV parameters, each sent only when its field is set.
  const CSV_PARAMS = ["delimiter", "header", "null", "encoding", "skip", "dateformat", "force"];

  function formatOf(fileName) {
    const ext = fileName.toLowerCase().split(".").pop();
    if (ext === "parquet") return "parquet";
    if (ext === "json" || ext === "ndjson" || ext === "jsonl") return "json";
    return "csv";
  }

  function chosenFormat() {
    const file = fileInput.files[0];
    return formatSelect.value || (file ? formatOf(file.name) : "csv");
  }

  function fieldOf(param) {
    return document.getElementById(param === "dataset" ? "upload-dataset" : param === "file" ? "upload-file" : "upload-" + param);
  }

  function clearErrors() {
    for (const message of form.querySelectorAll(".field-message")) message.textContent = "";
    for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
    error.hidden = true;
    error.textContent = "";
  }

  function showFieldError(param, message) {
    const field = fieldOf(param);
    document.getElementById(field.id + "-error").textContent = message;
    field.setAttribute("aria-invalid", "true");
    status.textContent = "";
  }

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
    status.textContent = "";
  }

  // Which field a server error is about: the dataset's name, or a parameter
  // named at the start of the message ("delimiter must be one character").
  function paramOf(message) {
    if (/dataset name/.test(message)) return "dataset";
    for (const param of CSV_PARAMS) {
      if (new RegExp("^" + param + "\\b").test(message)) return param;
    }
    return null;
  }

  function describeDataset() {
    const name = datasetInput.value.trim();
    const option = name
      ? Array.from(document.querySelectorAll("#dataset-names option")).find((o) => o.value === name)
      : null;
    if (!name || !NAME.test(name)) {
      hint.textContent = "";
    } else if (option) {
      hint.textContent =
        "An existing dataset, at version " + option.dataset.version + " with " + option.dataset.rows + " rows: the upload becomes its next version.";
    } else {
      hint.textContent = "A new dataset: the upload becomes its version 1.";
    }
  }

  function showCsvOptions() {
    csvOptions.hidden = chosenFormat() !== "csv";
  }

  function params(file) {
    const out = new URLSearchParams({
      format: chosenFormat(),
      mode: document.getElementById("upload-mode").value,
      file_name: file.name,
    });
    if (csvOptions.hidden) return out;
    for (const param of CSV_PARAMS) {
      const field = fieldOf(param);
      if (field.type === "checkbox") {
        if (field.checked) out.set(param, "true");
      } else if (field.value !== "") {
        out.set(param, field.value);
      }
    }
    return out;
  }

  function checkFields(dataset, file) {
    let ok = true;
    if (!NAME.test(dataset)) {
      showFieldError(
        "dataset",
        dataset
          ? "A dataset name is lower-case letters, digits and _, starting with a letter, e.g. candidates_2024."
          : "Name the dataset to upload into.",
      );
      ok = false;
    }
    if (!file) {
      showFieldError("file", "Choose a file to upload.");
      ok = false;
    }
    return ok;
  }

  function onDone(xhr) {
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
    const param = paramOf(message);
    if (param) {
      showFieldError(param, message + " (HTTP " + xhr.status + ")");
      progress.hidden = true;
    } else {
      showError("Upload failed (HTTP " + xhr.status + "): " + message);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors();
    const dataset = datasetInput.value.trim();
    const file = fileInput.files[0];
    if (!checkFields(dataset, file)) return;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/datasets/" + encodeURIComponent(dataset) + "/ingest?" + params(file));
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
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
    xhr.addEventListener("load", () => onDone(xhr));
    xhr.addEventListener("error", () => {
      button.disabled = false;
      showError("Upload failed: the server could not be reached.");
    });
    xhr.send(file);
  });
  datasetInput.addEventListener("input", describeDataset);
  fileInput.addEventListener("change", showCsvOptions);
  formatSelect.addEventListener("change", showCsvOptions);
  describeDataset();
  showCsvOptions();
})();
