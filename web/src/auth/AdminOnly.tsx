import type { ReactNode } from "react";
import { useRole } from "./hooks";

/** Shows its children only to administrators: creating, changing and deleting, starting and rerunning runs. */
export function AdminOnly({ children, otherwise = null }: { children: ReactNode; otherwise?: ReactNode }) {
  return <>{useRole() === "admin" ? children : otherwise}</>;
}
