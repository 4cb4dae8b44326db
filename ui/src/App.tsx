// Layout (navigation + main area) and the route table.

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

const NAV = [
  { to: "/", label: "Skills library" },
  { to: "/create", label: "Create skill" },
  { to: "/import", label: "Import" },
  { to: "/workspace", label: "Workspace skills" },
  { to: "/usage", label: "Usage & cost" },
  { to: "/settings", label: "Settings" },
];

function route(path: string) {
  let m: Record<string, string> | null;
  if (path === "/" || path === "/skills") return <LibraryPage />;
  if (path === "/create") return <CreateSkillPage />;
  if ((m = match("/skills/:name/build", path))) return <WorkflowPage key={m.name} skill={m.name} />;
  if ((m = match("/skills/:name", path))) return <SkillPage key={m.name} skill={m.name} />;
  if (path === "/import") return <ImportPage />;
  if (path === "/workspace") return <WorkspaceSkillsPage />;
  if (path === "/usage") return <UsagePage />;
  if (path === "/settings") return <SettingsPage />;
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. Go back to the <Link to="/">skills library</Link>.
      </p>
    </div>
  );
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
  const active = (to: string) => (to === "/" ? path === "/" || path.startsWith("/skills") : path.startsWith(to));
  return (
    <div className="layout">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
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
        <ConnectionBadge />
      </nav>
      <main className="main">{route(path)}</main>
      {transportName() === "tauri" && <CloseGuard />}
    </div>
  );
}
