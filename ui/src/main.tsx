import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { connectEvents } from "./api/transport";
import "./styles.css";

// Open the event stream before any command runs, so no early agent event is missed.
connectEvents();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
