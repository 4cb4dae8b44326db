import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { connectEvents } from "./api/transport";
import { startAgentStore } from "./state/agents";
import { watchServer } from "./state/offline";
import { startTableCards } from "./state/tableCards";
import "./styles.css";

// Open the event stream before any command runs, so no early agent event is missed; the agent
// store records every run from here on, whatever page is open.
connectEvents();
startAgentStore();
watchServer();
startTableCards();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
