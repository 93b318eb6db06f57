// Browser steps for what a first-time user meets: choosing how a SQL result
// is shown. run.mjs calls them after its own steps, with its page, server and
// helpers in `t`.
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
