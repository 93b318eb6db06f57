// Browser steps for what a first-time user meets: the upload form's fields
// and CSV options, choosing how a SQL result is shown, and the demo data set
// (a grouped query's chart, a dataset's profile). run.mjs calls them after
// its own steps, with its page, server and helpers in `t`.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

async function runQuery(page, sql) {
  await page.fill("#q", sql);
  await page.press("#q", "Control+Enter");
  await page.waitForFunction(
    (q) => document.querySelector('#chart-controls input[name="q"]')?.value === q,
    sql,
  );
}

export async function chartChoiceSteps(t) {
  const { page, base, shot, text, step, check, equal } = t;
  step("SQL console: choosing a chart, its columns and kind, remembered per query");
  const all = "SELECT * FROM candidates ORDER BY name";
  await page.goto(base + "/ui/sql");
  await runQuery(page, all);
  equal(await page.locator("#result svg").count(), 0, "SELECT * opens as the table");
  await page.check('#chart-controls input[value="chart"]');
  await page.waitForSelector("#result svg.bar-chart");
  equal(await text("#result figcaption"), "salary by name", "the first text and number columns");
  await page.selectOption("#chart-label", "state");
  await page.waitForFunction(() => document.querySelector("#result figcaption")?.textContent === "salary by state");
  check(page.url().includes("view=chart") && page.url().includes("label=state"), `choice in the URL: ${page.url()}`);
  await shot("16-sql-chart-chosen");
  // Opened again without the choice in its URL, as from a link.
  await page.goto(base + "/ui/sql?q=" + encodeURIComponent(all));
  await page.waitForFunction(() => document.querySelector("#result figcaption")?.textContent === "salary by state");
  check((await page.getAttribute("#history li a", "href")).includes("label=state"), "history links keep the choice");

  step("SQL console: a grouped result over dates opens as a line");
  // Five days, unevenly apart: a line spaces its points by date.
  const days =
    "SELECT DATE '2024-01-01' + CAST(range * range AS INTEGER) AS day, sum(10 - range * range / 3) AS hires " +
    "FROM range(5) GROUP BY day ORDER BY day";
  await runQuery(page, days);
  equal(await page.locator("#result svg.line-chart circle").count(), 5, "one point per day");
  await shot("17-sql-line");
  await page.selectOption("#chart-kind", "bar");
  await page.waitForSelector("#result svg.bar-chart");
  equal(await page.locator("#result svg.bar-chart g.bar").count(), 5, "the same as bars");
  await page.check('#chart-controls input[value="table"]');
  await page.waitForFunction(() => !document.querySelector("#result svg"));
  await runQuery(page, days);
  equal(await page.locator("#result svg").count(), 0, "run again, it opens as last chosen");
}

function runDemo(binary, base) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, ["demo", "--url", base], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr.on("data", (chunk) => (log += chunk));
    child.on("exit", (code) => (code === 0 ? resolvePromise() : reject(new Error(`demo exited ${code}: ${log}`))));
  });
}

async function queryRows(t, sql) {
  return (await t.api(t.base, "POST", "/v1/query", { sql })).rows;
}

export async function demoSteps(t) {
  const { page, base, shot, text, step, check, equal, binary } = t;
  step("demo data: SELECT * is a table, a grouped count a bar chart");
  await runDemo(binary, base);
  await page.goto(base + "/ui/sql?q=" + encodeURIComponent("SELECT * FROM candidates"));
  equal(await page.locator("#result table.result tbody tr").count(), 50, "a page of candidates");
  equal(await page.locator("#result svg").count(), 0, "no chart over every column");
  equal(await text("#total-rows"), "2,000", "rows of the whole result");
  await shot("18-sql-demo-table");
  const [[states]] = await queryRows(t, "SELECT count(DISTINCT state) FROM candidates");
  await page.goto(base + "/ui/sql?q=" + encodeURIComponent("SELECT state, count(*) FROM candidates GROUP BY state"));
  equal(await page.locator("#result svg.bar-chart g.bar").count(), states, "a bar per state");
  await shot("19-sql-demo-grouped");

  step("demo data: a dataset's profile");
  const schema = (await t.api(base, "GET", "/v1/datasets/placements")).schema;
  const [[share]] = await queryRows(
    t, "SELECT round(100 * count(*) FILTER (WHERE end_date IS NULL) / count(*), 1) FROM placements");
  check(share > 0, "some placements still run");
  await page.goto(base + "/ui/datasets/placements");
  await page.waitForSelector("#profile-table");
  equal(await page.locator("#profile-table tbody tr").count(), schema.length, "a row per column");
  equal(await text('#profile-table tr[data-column="end_date"] .null-share'), `${share.toFixed(1)}%`,
        "the share of running placements");
  equal(await page.locator('#profile-table tr[data-column="start_date"] svg.histogram rect').count(), 10,
        "a histogram of dates");
  await page.goto(base + "/ui/datasets/candidates");
  await page.waitForSelector("#profile-table");
  const names = await page.locator("#profile-table td.column-name").allInnerTexts();
  equal(names.join(","), "id,name,email,city,state,title,skills,years_experience,desired_rate,resume",
        "candidates' columns in order");
  for (const shown of await page.locator("#profile-table .null-share").allInnerTexts()) {
    equal(shown, "0%", "no candidate lacks a value");
  }
  equal(await page.locator('#profile-table tr[data-column="state"] .top-value').count(), 3, "top states");
  await shot("20-dataset-profile");
}

const CSV_PARAMS = ["delimiter", "header", "null", "encoding", "skip", "dateformat", "force"];

// Submits the upload form and returns the ingest request's query parameters.
async function submitUpload(page) {
  const request = page.waitForRequest((r) => r.url().includes("/ingest?"));
  await page.click("#upload-button");
  return new URL((await request).url()).searchParams;
}

export async function uploadOptionSteps(t) {
  const { page, base, work, shot, text, step, check, equal } = t;
  step("upload: a bad dataset name is said beside the name field");
  const cities = join(work, "cities.csv");
  writeFileSync(cities, "id;city\n1;Zürich\n2;Bern\n");
  await page.goto(base + "/ui/upload");
  await page.fill("#upload-dataset", "Bad Name");
  await page.setInputFiles("#upload-file", cities);
  await page.click("#upload-button");
  await page.waitForFunction(() => document.querySelector("#upload-dataset-error")?.textContent !== "");
  check((await text("#upload-dataset-error")).includes("lower-case letters"), "the name's rule is given");
  equal(await page.getAttribute("#upload-dataset", "aria-invalid"), "true", "the name field is marked");
  check(await page.locator("#upload-error").isHidden(), "no banner for a field's error");
  await shot("14-upload-name-error");

  step("upload: CSV options are sent only when set");
  await page.route("**/v1/datasets/*/ingest?*", (route) =>
    route.fulfill({
      status: 201,
      contentType: "application/json",
      body: JSON.stringify({ dataset: "cities", version: 1, rows_added: 2, rows: 2 }),
    }),
  );
  await page.fill("#upload-dataset", "cities");
  const bare = await submitUpload(page);
  for (const param of CSV_PARAMS) check(!bare.has(param), `${param} is not sent when left blank`);
  equal(await page.getAttribute("#upload-dataset", "aria-invalid"), null, "the fixed name is unmarked");
  await page.fill("#upload-delimiter", ";");
  await page.selectOption("#upload-header", "true");
  await page.fill("#upload-null", "NA");
  await page.selectOption("#upload-encoding", "latin-1");
  await page.fill("#upload-skip", "1");
  await page.fill("#upload-dateformat", "%d/%m/%Y");
  await page.check("#upload-force");
  const full = await submitUpload(page);
  const expected = {
    delimiter: ";", header: "true", null: "NA", encoding: "latin-1", skip: "1",
    dateformat: "%d/%m/%Y", force: "true",
  };
  for (const [param, value] of Object.entries(expected)) equal(full.get(param), value, `${param} sent`);
  await page.unroute("**/v1/datasets/*/ingest?*");

  step("upload: delimiter and header reach the ingest API");
  await page.goto(base + "/ui/upload");
  await page.fill("#upload-dataset", "cities");
  await page.setInputFiles("#upload-file", cities);
  await page.fill("#upload-delimiter", ";");
  await page.selectOption("#upload-header", "true");
  await page.click("#upload-button");
  await page.waitForSelector("#upload-result");
  const rows = await queryRows(t, "SELECT city FROM cities ORDER BY id");
  equal(JSON.stringify(rows), JSON.stringify([["Zürich"], ["Bern"]]), "columns split at ;");

  step("upload: a parameter the server refuses is said beside its field");
  await page.fill("#upload-delimiter", "ab");
  await page.click("#upload-button");
  await page.waitForFunction(() => document.querySelector("#upload-delimiter-error")?.textContent !== "");
  check((await text("#upload-delimiter-error")).includes("one character"), "the server's reason beside the field");
  check(await page.locator("#upload-error").isHidden(), "no banner for the delimiter's error");
  await shot("15-upload-option-error");
}
