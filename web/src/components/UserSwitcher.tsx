// Demo sign-in: each demo user is a link (?as=subject), so several tabs can
// be several people, and ?device= makes a tab another of their devices.
import type { DemoUser } from "../config";

type Props = { users: DemoUser[]; current: DemoUser | null; deviceType: string; signInState: string };

export function UserSwitcher({ users, current, deviceType, signInState }: Props) {
  const link = (subject: string | null) => {
    const params = new URLSearchParams({ device: deviceType });
    if (subject !== null) params.set("as", subject);
    return `?${params}`;
  };
  const who = current === null ? "anonymous viewer" : `${current.name}${current.moderator ? " (moderator)" : ""}`;
  const state = signInState === "signing-in" ? " — signing in…" : signInState === "refused" ? " — sign-in refused" : "";
  return (
    <nav className="users" aria-label="Demo users">
      <p className="me">
        Signed in as {who} on {deviceType}
        {state}
      </p>
      <ul>
        {users.map((u) => (
          <li key={u.subject}>
            <a href={link(u.subject)} aria-current={current?.subject === u.subject ? "page" : undefined}>
              {u.name}
            </a>
          </li>
        ))}
        <li>
          <a href={link(null)} aria-current={current === null ? "page" : undefined}>
            anonymous
          </a>
        </li>
      </ul>
    </nav>
  );
}
