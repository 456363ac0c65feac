import { useEffect, useEffectEvent, useState } from "react";

const DEBOUNCE_MS = 300;

/**
 * A search field that asks once the typing pauses. `value` is the search in force (the URL's); a change of it
 * from elsewhere (Back) shows in the field.
 */
export function SearchBox({
  id,
  label,
  value,
  onSearch,
  placeholder,
  maxLength,
}: {
  id: string;
  label: string;
  value: string;
  onSearch: (value: string) => void;
  placeholder?: string;
  maxLength?: number;
}) {
  const [text, setText] = useState(value);
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    if (text.trim() !== value) setText(value);
  }
  const search = useEffectEvent(() => onSearch(text.trim()));
  useEffect(() => {
    if (text.trim() === value) return;
    const timer = setTimeout(search, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, value]);
  return (
    <div className="field search">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="search"
        value={text}
        placeholder={placeholder}
        maxLength={maxLength}
        onChange={(event) => setText(event.target.value)}
      />
    </div>
  );
}
