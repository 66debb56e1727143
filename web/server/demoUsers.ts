// The demo's people. Anyone may pick any of them (?as=alice): the demo
// server signs their tokens on request, which is why it answers only on
// loopback. The moderator's token carries the `write:chat` permission that
// convex/lib/auth.ts checks before moderateMessage runs.
import { MODERATE_CHAT_PERMISSION } from "../../convex/lib/auth";

export type DemoUser = { readonly subject: string; readonly name: string; readonly moderator: boolean };

export const DEMO_USERS: readonly DemoUser[] = [
  { subject: "alice", name: "Alice", moderator: false },
  { subject: "bob", name: "Bob", moderator: false },
  { subject: "carol", name: "Carol", moderator: false },
  { subject: "mod", name: "Morgan", moderator: true },
];

export function permissionsOf(user: DemoUser): string[] | undefined {
  return user.moderator ? [MODERATE_CHAT_PERMISSION] : undefined;
}
