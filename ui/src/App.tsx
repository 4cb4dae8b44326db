// Layout (navigation + main area), the route table and each route's window title.

import { useEffect, useState } from "react";
import { Link, match, useLocation } from "./router";
import { eventsConnected, onConnectionChange, transportName } from "./api/transport";
import { LibraryPage } from "./pages/Library";
import { CreateSkillPage } from "./pages/CreateSkill";
import { WorkflowPage } from "./pages/Workflow";
import { SkillPage } from "./pages/Skill";
import { ImportPage } from "./pages/Import";
import { WorkspaceSkillsPage } from "./pages/WorkspaceSkills";
import { UsagePage } from "./pages/Usage";
import { SettingsPage } from "./pages/Settings";
import { CloseGuard } from "./components/CloseGuard";
import { OfflineBanner } from "./components/OfflineBanner";
import { RunningIndicator } from "./components/RunningIndicator";
import { useTitle } from "./state/title";

const NAV = [
  { to: "/", label: "Skills library" },
  { to: "/create", label: "Create skill" },
  { to: "/import", label: "Import" },
  { to: "/workspace", label: "Workspace skills" },
  { to: "/usage", label: "Usage & cost" },
  { to: "/settings", label: "Settings" },
];

/** The page of a path and its title (the window title reads "<title> — Skill Builder"). */
function route(path: string): { title: string; page: JSX.Element } {
  let m: Record<string, string> | null;
  if (path === "/" || path === "/skills") return { title: "Skills library", page: <LibraryPage /> };
  if (path === "/create") return { title: "Create skill", page: <CreateSkillPage /> };
  if ((m = match("/skills/:name/build", path))) return { title: `Build ${m.name}`, page: <WorkflowPage key={m.name} skill={m.name} /> };
  if ((m = match("/skills/:name", path))) return { title: m.name, page: <SkillPage key={m.name} skill={m.name} /> };
  if (path === "/import") return { title: "Import", page: <ImportPage /> };
  if (path === "/workspace") return { title: "Workspace skills", page: <WorkspaceSkillsPage /> };
  if (path === "/usage") return { title: "Usage", page: <UsagePage /> };
  if (path === "/settings") return { title: "Settings", page: <SettingsPage /> };
  return {
    title: "Page not found",
    page: (
      <div className="page">
        <h1>Page not found</h1>
        <p>
          There is no page at <code>{path}</code>. Go back to the <Link to="/">skills library</Link>.
        </p>
      </div>
    ),
  };
}

function ConnectionBadge() {
  const [open, setOpen] = useState(eventsConnected());
  useEffect(() => onConnectionChange(setOpen), []);
  if (transportName() === "tauri") return null;
  return (
    <p className={`conn ${open ? "conn-ok" : "conn-bad"}`} title={open ? "Live agent events are connected" : "Live events are not connected; the page polls instead"}>
      <span className="dot" aria-hidden="true" /> {open ? "Live" : "Connecting…"}
    </p>
  );
}

export function App() {
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const active = (to: string) => (to === "/" ? path === "/" || path.startsWith("/skills") : path.startsWith(to));
  const { title, page } = route(path);
  useTitle(title);
  // A chosen page closes the phone menu.
  useEffect(() => setMenuOpen(false), [path]);
  return (
    <div className="layout">
      <header className="topbar">
        <span className="brand">
          <span className="logo" aria-hidden="true">◆</span> Skill Builder
        </span>
        <RunningIndicator compact />
        <button type="button" className="btn btn-small menu-btn" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen((o) => !o)}>
          {menuOpen ? "Close menu" : "Menu"}
        </button>
      </header>
      <nav id="main-nav" className={`sidebar ${menuOpen ? "open" : ""}`} aria-label="Main">
        <div className="brand sidebar-brand">
          <span className="logo" aria-hidden="true">◆</span> Skill Builder
        </div>
        <ul>
          {NAV.map((n) => (
            <li key={n.to}>
              <Link to={n.to} aria-current={active(n.to) ? "page" : undefined} className={active(n.to) ? "active" : ""}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
        <RunningIndicator />
        <ConnectionBadge />
      </nav>
      <main className="main">
        <OfflineBanner />
        {page}
      </main>
      {transportName() === "tauri" && <CloseGuard />}
    </div>
  );
}
