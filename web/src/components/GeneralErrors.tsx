/** A form's errors that belong to no one field, above the fields. */
export function GeneralErrors({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div className="banner bad" role="alert">
      <span>
        {messages.map((message) => (
          <div key={message}>{message}</div>
        ))}
      </span>
    </div>
  );
}
