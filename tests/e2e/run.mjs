// Browser tests of the web UI: a real `lakehouse serve` on a free port over a
// fresh data directory, driven through headless Chromium (Debian's
// /usr/bin/chromium) by playwright-core, which scripts/bootstrap.sh fetches
// into the dependency cache at the version pinned in scripts/deps.lock.
//
//   node tests/e2e/run.mjs build/lakehouse
//
// Screenshots of every page go to $E2E_OUT, else <binary's dir>/e2e-screenshots.
// Exits non-zero at the first failed check, naming it.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir, homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chartChoiceSteps, demoSteps, uploadOptionSteps } from "./first_use_steps.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const binary = resolve(process.argv[2] || join(repo, "build", "lakehouse"));
const outDir = resolve(process.env.E2E_OUT || join(dirname(binary), "e2e-screenshots"));
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const stepTimeoutMs = 15000;
const timeZone = "America/Chicago";

// ---- the pinned playwright-core from the bootstrap cache ----

function playwrightEntry() {
  const lock = readFileSync(join(repo, "scripts", "deps.lock"), "utf8");
  const match = lock.match(/^playwright-core@(\S+)\s/m);
  if (!match) throw new Error("scripts/deps.lock pins no playwright-core");
  const cache = process.env.LAKEHOUSE_CACHE || join(homedir(), ".cache", "lakehouse");
  const entry = join(cache, "deps", `playwright-core-${match[1]}`, "package", "index.mjs");
  if (!existsSync(entry)) {
    throw new Error(`${entry} is missing: run scripts/bootstrap.sh`);
  }
  return entry;
}

// ---- the server under test ----

function startServer(dataDir) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, ["serve", "--data", dataDir, "--listen", "127.0.0.1:0"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error("the server did not report its address in 20 s:\n" + log));
    }, 20000);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const match = log.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1], log: () => log });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening:\n${log}`));
    });
  });
}

function stopServer(server) {
  return new Promise((resolvePromise) => {
    if (server.child.exitCode !== null) return resolvePromise();
    const timer = setTimeout(() => server.child.kill("SIGKILL"), 10000);
    server.child.once("exit", () => {
      clearTimeout(timer);
      resolvePromise();
    });
    server.child.kill("SIGTERM");
  });
}

// ---- a tiny harness: named steps, first failure ends the run ----

let currentStep = "";
function step(name) {
  currentStep = name;
  console.log(`e2e: ${name}`);
}
function check(condition, message) {
  if (!condition) throw new Error(message);
}
function equal(actual, expected, what) {
  check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

async function api(base, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  check(response.ok, `${method} ${path}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// ---- the tests ----

async function run(page, base, work) {
  const shot = async (name) => {
    await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
  };
  const text = async (selector) => (await page.locator(selector).first().innerText()).trim();

  step("overview of an empty lakehouse");
  await page.goto(base + "/");
  equal(await text("h1"), "Overview", "overview heading");
  equal(await text("#stat-datasets"), "0", "dataset count");
  await shot("01-overview-empty");

  step("upload a CSV through the form: a new dataset, version 1");
  const first = join(work, "candidates.csv");
  writeFileSync(first, "name,state,salary\nada,CA,100\nbob,NY,80\ncy,CA,90\n");
  await page.goto(base + "/ui/upload");
  await page.fill("#upload-dataset", "candidates");
  check((await text("#upload-dataset-hint")).includes("new dataset"), "a new name is said to start a dataset");
  await page.setInputFiles("#upload-file", first);
  check(await page.locator("#csv-options").isVisible(), "CSV options offered for a CSV file");
  await page.click("#upload-button");
  await page.waitForSelector("#upload-result");
  check((await text("#upload-result")).includes("candidates version 1"), "upload result names version 1");
  equal(await page.locator("#upload-progress").evaluate((e) => e.value), 100, "progress at the end");
  await shot("02-upload-done");

  step("append a second file: version 2");
  const second = join(work, "more.csv");
  writeFileSync(second, "name,state,salary\ndee,TX,70\n");
  await page.goto(base + "/ui/upload?dataset=candidates");
  equal(await page.inputValue("#upload-dataset"), "candidates", "dataset prefilled from the URL");
  equal(await page.getAttribute("#dataset-names option", "value"), "candidates", "existing datasets offered");
  check((await text("#upload-dataset-hint")).includes("existing dataset, at version 1"), "an existing name is said to append");
  await page.setInputFiles("#upload-file", second);
  await page.click("#upload-button");
  await page.waitForSelector("#upload-result");
  check((await text("#upload-result")).includes("version 2"), "second upload is version 2");

  step("a bad upload shows the server's error in place");
  const bad = join(work, "bad.csv");
  writeFileSync(bad, "fullname,state,salary\neve,WA,60\n");
  await page.setInputFiles("#upload-file", bad);
  await page.click("#upload-button");
  await page.waitForSelector("#upload-error:not([hidden])");
  const uploadError = await text("#upload-error");
  check(/HTTP 4\d\d/.test(uploadError), `upload error names the status: ${uploadError}`);
  check(uploadError.includes("fullname") || uploadError.includes("name"), `upload error names the column: ${uploadError}`);
  await shot("03-upload-error");

  step("dataset page: versions, chart, preview, diff");
  await page.goto(base + "/ui/datasets/candidates");
  equal(await text("#current-version"), "2", "current version");
  equal(await text("#current-rows"), "4", "current rows");
  equal(await page.locator("#versions tbody tr").count(), 2, "versions listed");
  await checkTime(page, "#version-1 time", "a version's creation");
  await checkTime(page, "#dataset-updated time", "the dataset's update");
  equal(await page.locator("svg.bar-chart g.bar").count(), 2, "row-count chart bars");
  equal(await page.locator("#schema tbody tr").count(), 3, "schema columns");
  equal(await page.locator("#preview table.result tbody tr").count(), 4, "preview rows of version 2");
  await page.click('#versions a[href$="version=1"]');
  await page.waitForFunction(() => document.querySelector("#preview h2")?.textContent.includes("Version 1"));
  equal(await page.locator("#preview table.result tbody tr").count(), 3, "preview rows of version 1");
  check(page.url().endsWith("/ui/datasets/candidates?version=1"), `preview URL pushed: ${page.url()}`);
  await page.selectOption('select[name="a"]', "1");
  await page.selectOption('select[name="b"]', "2");
  await page.click('form[hx-target="#diff"] button');
  await page.waitForSelector("#rows-added");
  equal(await text("#rows-added"), "1", "rows added from 1 to 2");
  equal(await text("#rows-removed"), "0", "rows removed from 1 to 2");
  await shot("04-dataset");
  // The pushed URL renders the same state on its own.
  await page.goto(page.url());
  equal(await text("#rows-added"), "1", "diff from its URL");

  step("SQL console: Ctrl-Enter, rows, chart, CSV, history");
  const sql = "SELECT state, sum(salary) AS total FROM candidates GROUP BY ALL ORDER BY total DESC";
  await page.goto(base + "/ui/sql");
  check(!(await page.locator("#clear-history").isVisible()), "no history controls before any history");
  await shot("05-sql-empty");
  await page.fill("#q", sql);
  await page.press("#q", "Control+Enter");
  await page.waitForSelector("#result table.result");
  equal(await page.locator("#result table.result tbody tr").count(), 3, "result rows");
  equal(await text("#result table.result tbody tr td"), "CA", "first row");
  equal(await page.locator("#result svg.bar-chart g.bar").count(), 3, "a small grouped result opens as bars");
  equal(await text("#total-rows"), "3", "the row count of a whole result");
  check(await page.locator("#clear-history").isVisible(), "history controls once there is history");
  check(page.url().includes("/ui/sql?q="), `query URL pushed: ${page.url()}`);
  const csvHref = await page.getAttribute("#csv-link", "href");
  const csv = await (await page.request.get(base + csvHref)).text();
  check(csv.startsWith("state,total\r\nCA,190\r\n"), `CSV download (RFC 4180): ${JSON.stringify(csv)}`);
  await shot("05-sql-grouped");
  await page.reload();
  await page.waitForSelector("#history li a");
  equal(await text("#history li a"), sql, "history kept across reloads");
  equal(await page.locator("#result table.result tbody tr").count(), 3, "result from the URL");

  step("SQL console: paging and errors");
  await page.fill("#q", "SELECT range AS n FROM range(120)");
  await page.click('#sql-form button[type="submit"]');
  await page.waitForFunction(() => document.querySelector("#last-row")?.textContent === "50");
  equal(await text("#total-rows"), "120", "rows counted beyond the page");
  check((await text("#result .pager")).includes("page 1 of 3"), "pages counted");
  equal(await page.locator("#result svg").count(), 0, "a long result opens as the table");
  await page.click("#next-page");
  await page.waitForFunction(() => document.querySelector("#first-row")?.textContent === "51");
  equal(await text("#result table.result tbody tr td"), "50", "first row of page 2");
  await page.fill("#q", "SELECT * FROM no_such_table");
  await page.press("#q", "Control+Enter");
  await page.waitForSelector("#sql-error .error");
  check((await text("#sql-error .error")).includes("no_such_table"), "query error under the editor");
  // The mark follows the error's swap; on a busy machine a moment later.
  await page
    .waitForFunction(() => document.querySelector("#q")?.getAttribute("aria-invalid") === "true", null, {
      timeout: 5000,
    })
    .catch(() => {});
  equal(await page.getAttribute("#q", "aria-invalid"), "true", "the editor is marked");
  equal(await page.locator("#result .error, #result table").count(), 0, "no stale result or second error");
  await shot("06-sql-error");
  await page.fill("#q", "SELECT 1 AS one");
  await page.press("#q", "Control+Enter");
  await page.waitForSelector("#result table.result");
  equal(await page.locator("#sql-error .error").count(), 0, "the error goes with the next result");
  equal(await page.getAttribute("#q", "aria-invalid"), null, "the editor is no longer marked");

  step("vector index: list, detail, search");
  await api(base, "POST", "/v1/indexes", { name: "resumes", dim: 3, metric: "cosine" });
  await api(base, "POST", "/v1/indexes/resumes/vectors", {
    items: [
      { id: "ada", vector: [1, 0, 0], metadata: { name: "Ada", skill: "<b>math</b>" } },
      { id: "bob", vector: [0, 1, 0], metadata: { name: "Bob" } },
      { id: "cy", vector: [0, 0, 1], metadata: {} },
    ],
  });
  await page.goto(base + "/ui/indexes");
  equal(await page.locator("#indexes tbody tr").count(), 1, "indexes listed");
  await shot("07-indexes");
  await page.click('#indexes a[href="/ui/indexes/resumes"]');
  equal(await text("#index-count"), "3", "vectors in the index");
  await page.fill("#search-vector", "[0.9, 0.1, 0]");
  await page.fill("#search-k", "2");
  await page.click('#search-form button[type="submit"]');
  await page.waitForSelector("#hits-table");
  equal(await page.locator("#hits-table tbody tr").count(), 2, "k hits");
  equal(await text("#hits-table .hit-id"), "ada", "nearest hit");
  check((await text("#hits-table tbody tr")).includes("<b>math</b>"), "metadata shown as text");
  await shot("08-index-search");
  await page.fill("#search-vector", "[1, 2]");
  await page.click('#search-form button[type="submit"]');
  await page.waitForSelector("#hits .error");
  check((await text("#hits .error")).includes("dimension"), "search error shown in place");

  step("dataset text index: search by text, filter, and join in SQL");
  const people = join(work, "people.csv");
  writeFileSync(
    people,
    "id,name,state,rate,resume\n" +
      "1,Ada,CA,90,registered nurse in an intensive care unit\n" +
      "2,Bo,TX,70,python data engineer building spark pipelines\n" +
      "3,Cy,TX,60,forklift operator in a warehouse\n" +
      "4,Di,TX,85,python developer writing data tools\n",
  );
  await page.goto(base + "/ui/upload");
  await page.fill("#upload-dataset", "people");
  await page.setInputFiles("#upload-file", people);
  await page.click("#upload-button");
  await page.waitForSelector("#upload-result");
  const built = await api(base, "POST", "/v1/datasets/people/indexes", {
    index: "people_resume",
    id_column: "id",
    text_column: "resume",
  });
  equal(built.count, 4, "items in the dataset index");
  await page.goto(base + "/ui/indexes/people_resume");
  check((await text("#index-source")).includes("people version 1"), "index names its dataset version");
  await page.fill("#search-text", "nurse for intensive care");
  await page.click('#text-search-form button[type="submit"]');
  await page.waitForSelector("#hits-table");
  equal(await text("#hits-table .hit-id"), "1", "nearest by text");
  await page.fill("#search-text", "python data");
  await page.fill("#search-filter", '{"state": "TX", "rate": {"lte": 80}}');
  await page.click('#text-search-form button[type="submit"]');
  await page.waitForFunction(() => document.querySelector("#hits-table .hit-id")?.textContent === "2");
  equal(await page.locator("#hits-table tbody tr").count(), 2, "hits passing the filter");
  await shot("09-index-text-search");
  check((await text("#index-full-text")).startsWith("BM25 k1 1.2"), "the full-text part's parameters");
  check(await page.locator('#search-mode input[value="hybrid"]').isChecked(), "hybrid is the default mode");
  await page.fill("#search-filter", "");
  await page.check('#search-mode input[value="keyword"]');
  await page.click('#text-search-form button[type="submit"]');
  await page.waitForSelector('#hits-table[data-mode="keyword"]');
  equal(await page.locator("#hits-table tbody tr").count(), 2, "keyword hits: the resumes saying python or data");
  const terms = await page.locator("#hits-table tbody tr").first().locator("mark.term").allInnerTexts();
  check(terms.includes("python"), `the matched term is marked (${terms})`);
  await shot("09-index-keyword-search");
  await page.check('#search-mode input[value="hybrid"]');
  await page.click('#text-search-form button[type="submit"]');
  await page.waitForSelector('#hits-table[data-mode="hybrid"]');
  equal(await page.locator("#hits-table tbody tr").count(), 4, "hybrid hits: every item the vectors rank");
  check(/^\d+$/.test(await text("#hits-table .vector-rank")), "the vector rank of the best hit");
  check(/^\d+$/.test(await text("#hits-table .keyword-rank")), "the keyword rank of the best hit");
  const keywordRanks = await page.locator("#hits-table .keyword-rank").allInnerTexts();
  check(keywordRanks.includes("\u2014"), `a hit no keyword matched has a dash (${keywordRanks})`);
  check((await page.locator("#hits-table mark.term").count()) > 0, "matched terms marked in hybrid");
  await shot("09-index-hybrid-search");
  await page.fill("#search-filter", '{"state": ');
  await page.click('#text-search-form button[type="submit"]');
  await page.waitForSelector("#hits .error");
  check((await text("#hits .error")).includes("filter"), "a bad filter is shown in place");
  const join_sql =
    "SELECT p.name, s.distance FROM vector_search('people_resume', 'python data engineer', 4) s " +
    "JOIN people p ON p.id = s.id WHERE p.state = 'TX' ORDER BY s.distance";
  await page.goto(base + "/ui/sql");
  await page.fill("#q", join_sql);
  await page.press("#q", "Control+Enter");
  await page.waitForSelector("#result table.result");
  equal(await page.locator("#result table.result tbody tr").count(), 3, "joined rows in Texas");
  equal(await text("#result table.result tbody tr td"), "Bo", "nearest Texan first");
  equal(await page.locator("#result svg").count(), 0, "search hits open as the table, not a chart");
  check(await page.locator('#chart-controls input[value="table"]').isChecked(), "the table is the chosen view");
  await shot("10-sql-vector-join");

  step("overview lists what was made");
  await page.goto(base + "/");
  equal(await page.locator("#datasets tbody tr").count(), 2, "datasets on the overview");
  equal(await page.locator("#indexes tbody tr").count(), 2, "indexes on the overview");
  await checkTime(page, "#datasets time", "a dataset's update on the overview");
  await shot("11-overview");

  step("dataset page: change counts, tags, and restoring an earlier version");
  const ingestCsv = async (path, csv) => {
    const response = await fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream" },
      body: csv,
    });
    check(response.ok, `POST ${path}: HTTP ${response.status} ${await response.text()}`);
  };
  await ingestCsv("/v1/datasets/stock/ingest?format=csv", "id,item\n1,apple\n2,pear\n3,plum\n");
  await ingestCsv(
    "/v1/datasets/stock/ingest?format=csv&mode=upsert&key=id",
    "id,item\n2,PEAR\n4,fig\n",
  );
  await api(base, "PUT", "/v1/datasets/stock/tags/golden", { version: 1 });
  await page.goto(base + "/ui/datasets/stock");
  equal(await text("#version-2 .changes"), "+1 inserted \u00b7 1 updated", "counts of the upsert");
  equal(await text("#version-1 .changes"), "+3 inserted", "counts of the create");
  equal(await text("#version-1 .tag"), "golden", "tag beside its version");
  check(await page.locator("#version-1 .tag").isVisible(), "tag label visible");
  equal(await page.locator("#version-2 form.restore").count(), 0, "no restore for the current version");
  await page.click("#version-1 form.restore button");
  await page.waitForSelector("#version-3");
  equal(await text("#version-3 .operation"), "restore", "the new version is a restore");
  check((await text("#version-3 .changes")).startsWith("restored from v1"), "restore names its source");
  equal(await text("#current-version"), "3", "current version after the restore");
  equal(await text("#current-rows"), "3", "rows of version 1 again");
  await shot("12-dataset-restore");

  step("dataset page: the erasure log and the versions an erasure rewrote");
  check((await text("#erasures")).includes("None"), "no erasure yet");
  await api(base, "POST", "/v1/datasets/stock/erase", { where: "id = 3" });
  await page.goto(base + "/ui/datasets/stock");
  equal(await text("#version-4 .operation"), "erase", "the erase version");
  equal(await text("#current-rows"), "2", "the erased row is gone");
  check((await text("#version-1")).includes("erased"), "version 1 is marked as rewritten");
  const log = await text("#erasures tbody");
  check(log.includes("id = 3") && log.includes("done"), `the log lists the erasure: ${log}`);
  await checkTime(page, "#erasures time", "an erasure's start");
  await shot("13-dataset-erasure");

  const t = { page, base, work, shot, text, step, check, equal, api, binary };
  await uploadOptionSteps(t);
  await chartChoiceSteps(t);
  await demoSteps(t);
}

// A time shown as people read it: "just now" or "N minutes ago", the exact
// local time in its tooltip (set by time.js), the machine form in datetime.
async function checkTime(page, selector, what) {
  const time = page.locator(selector).first();
  const shown = (await time.innerText()).trim();
  check(/^(just now|\d+ minutes? ago)$/.test(shown), `${what} reads as a time ago: ${JSON.stringify(shown)}`);
  const iso = await time.getAttribute("datetime");
  check(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(iso || ""), `${what} has its datetime: ${iso}`);
  // The browser runs in Chicago (see main): the tooltip is in its time zone.
  const title = (await time.getAttribute("title")) || "";
  const year = new Date(iso).toLocaleString("en-US", { timeZone: timeZone, year: "numeric" });
  check(title.includes(year) && /\bC[SD]T\b/.test(title) && !title.includes("UTC"),
        `${what} has the exact local time as its tooltip: ${JSON.stringify(title)}`);
}

async function main() {
  check(existsSync(binary), `no binary at ${binary}`);
  check(existsSync(chromiumPath), `no Chromium at ${chromiumPath}: install Debian's chromium`);
  const { chromium } = await import(pathToFileURL(playwrightEntry()).href);
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(join(process.env.TMPDIR || tmpdir(), "lakehouse-e2e-"));
  const server = await startServer(join(work, "data"));
  let browser;
  const pageErrors = [];
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      // Root (CI containers) cannot use Chromium's sandbox.
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    });
    // A time zone other than the server's UTC shows times are made local.
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: "en-US",
      timezoneId: timeZone,
    });
    context.setDefaultTimeout(stepTimeoutMs);
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(`${currentStep}: ${error.message}`));
    // Console errors catch what throws nothing, e.g. a CSP refusal. The
    // steps that expect an HTTP error make the browser log the status.
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
        pageErrors.push(`${currentStep}: console: ${message.text()}`);
      }
    });
    await run(page, server.url, work);
    check(pageErrors.length === 0, "script errors in the pages:\n" + pageErrors.join("\n"));
    console.log(`e2e: all passed; screenshots in ${outDir}`);
  } catch (error) {
    console.error(`e2e: FAILED in "${currentStep}": ${error.message}`);
    console.error("--- server log (tail) ---\n" + server.log().split("\n").slice(-30).join("\n"));
    process.exitCode = 1;
  } finally {
    if (browser) await browser.close();
    await stopServer(server);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`e2e: ${error.stack || error}`);
  process.exit(1);
});
