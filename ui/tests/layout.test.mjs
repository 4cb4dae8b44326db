// Layout (issue 16): every main page at a phone width (390 px) and a desktop width (1,440 px)
// has no horizontal scrolling and its own window title; under 640 px the navigation is a menu
// button and the library's table becomes cards. Screenshots of both widths are kept
// (ui/test-results/layout-<page>-<width>.png, copied to the CI artefacts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, cli, screenshot } from "./helpers.mjs";

const SKILL = "layout-skill";

const PAGES = [
  { name: "library", path: "/", title: "Skills library", ready: (p) => p.locator(`[data-skill="${SKILL}"]`) },
  { name: "create", path: "/create", title: "Create skill", ready: (p) => p.getByLabel("Skill name") },
  { name: "skill", path: `/skills/${SKILL}`, title: SKILL, ready: (p) => p.getByRole("region", { name: "Content of SKILL.md" }).getByLabel("SKILL.md") },
  { name: "skill-history", path: `/skills/${SKILL}?tab=history`, title: SKILL, ready: (p) => p.getByRole("list", { name: "Versions" }) },
  { name: "build", path: `/skills/${SKILL}/build`, title: `Build ${SKILL}`, ready: (p) => p.getByText("Skill built.") },
  {
    name: "library-share",
    path: "/",
    title: "Skills library",
    ready: (p) => p.locator(`[data-skill="${SKILL}"]`),
    open: async (p) => {
      await p.getByRole("button", { name: "Share with team" }).click();
      await p.getByRole("form", { name: "Share through git" }).waitFor();
    },
  },
  { name: "import", path: "/import", title: "Import", ready: (p) => p.getByRole("heading", { level: 1 }) },
  { name: "workspace", path: "/workspace", title: "Workspace skills", ready: (p) => p.getByRole("heading", { name: "Workspace skills", level: 1 }) },
  { name: "usage", path: "/usage", title: "Usage", ready: (p) => p.getByRole("heading", { name: "Usage & cost", level: 1 }) },
  { name: "settings", path: "/settings", title: "Settings", ready: (p) => p.getByLabel(/API key/i).first() },
];

/** How far the page scrolls sideways (0 = not at all) and what sticks out, for the message. */
async function overflow(page) {
  return page.evaluate(() => {
    const extra = document.scrollingElement.scrollWidth - window.innerWidth;
    const wide = [];
    if (extra > 0) {
      for (const el of document.querySelectorAll("body *")) {
        const r = el.getBoundingClientRect();
        if (r.right > window.innerWidth + 1 && wide.length < 5) wide.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(r.right)} px)`);
      }
    }
    return { extra, wide };
  });
}

async function settle(page) {
  await page.waitForFunction(() => !document.querySelector(".spinner-row"), null, { timeout: 15_000 }).catch(() => {});
}

// 390 and 1,440 px are the widths the issue names; 360 and 1,920 px are the ends of its range.
for (const width of [360, 390, 1440, 1920]) {
  test(`every main page fits ${width} px without sideways scrolling and has its own title`, { timeout: 180_000 }, async () => {
    await withApp(
      `layout-${width}`,
      async ({ page, server }) => {
        await page.setViewportSize({ width, height: 900 });
        // Open the skill's history diff once so the phone width also covers a diff.
        for (const p of PAGES) {
          await page.goto(`${server.origin}${p.path}`);
          await p.ready(page).first().waitFor({ timeout: 30_000 });
          await settle(page);
          if (p.open) await p.open(page);
          if (p.name === "skill-history") {
            await page.getByRole("list", { name: "Versions" }).getByRole("listitem").first().getByRole("button", { name: /Show changes/ }).click();
            await page.getByRole("table", { name: /diff of layout-skill\/SKILL\.md/ }).waitFor();
            if (width < 640) {
              assert.equal(await page.getByRole("table", { name: "Unified diff of layout-skill/SKILL.md" }).count(), 1, "diffs are unified on a phone");
            }
          }
          assert.equal(await page.title(), `${p.title} — Skill Builder`, `title of ${p.path}`);
          const o = await overflow(page);
          assert.ok(o.extra <= 0, `${p.path} at ${width} px scrolls sideways by ${o.extra} px: ${o.wide.join(", ")}`);
          await screenshot(page, `layout-${p.name}-${width}`);
        }

        // The navigation: a menu button on a phone, the sidebar on a desktop.
        await page.goto(`${server.origin}/`);
        const menu = page.getByRole("button", { name: "Menu" });
        const usageLink = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Usage & cost" });
        if (width < 640) {
          assert.ok(await menu.isVisible(), "a menu button on a phone");
          assert.ok(!(await usageLink.isVisible()), "the links wait behind the menu button");
          await menu.click();
          assert.equal(await page.getByRole("button", { name: "Close menu" }).getAttribute("aria-expanded"), "true");
          await usageLink.click();
          await page.waitForURL(/\/usage$/);
          assert.ok(!(await usageLink.isVisible()), "choosing a page closes the menu");
          // The library's rows are cards: no table header, each value labelled.
          await page.goto(`${server.origin}/`);
          const row = page.locator(`[data-skill="${SKILL}"]`);
          await row.waitFor();
          assert.ok(!(await page.locator("table.table thead").isVisible()), "no table header on a phone");
          const box = await row.boundingBox();
          assert.ok(box.width <= width, "a card fits the screen");
        } else {
          assert.ok(!(await menu.isVisible()), "no menu button on a desktop");
          assert.ok(await usageLink.isVisible());
        }
      },
      { prepare: (dataDir) => cli(dataDir, ["build", SKILL, "--description", "A skill to lay out at every width, with a long description that has to wrap on a phone screen"]) },
    );
  });
}
