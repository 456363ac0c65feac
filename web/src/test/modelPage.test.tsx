// @vitest-environment jsdom
import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { ModelReport } from "../api/types";
import { renderApp } from "./renderApp";

const report: ModelReport = {
  since: "2026-09-01T10:00:00Z",
  models: [
    {
      role: "detector",
      version: "iforest-4",
      description: "an IsolationForest per account, fitted on its own recent history with the population's sample",
    },
    {
      role: "population",
      version: "3f9a1c2b7d4e",
      fittedAt: "2026-11-20T03:00:00Z",
      description: "fitted on 20000 transactions of 300 accounts of this deployment, 2026-08-22 to 2026-11-20",
    },
    {
      role: "verdicts",
      version: "verdicts-8b2e4f6a1c3d",
      fittedAt: "2026-11-24T10:00:00Z",
      description: "learnt from 40 verdicts (6 confirmed frauds) known by 2026-11-24T09:00:00Z",
    },
  ],
  learning: "scores are judged by a layer learnt from 40 verdicts on top of the IsolationForest score, refitted hourly",
  verdictsLearntFrom: 40,
  fraudsLearntFrom: 6,
  confirmed: 3,
  notFraud: 2,
  precision: [
    { week: "2026-11-16", level: "MEDIUM", reviewed: 1, confirmed: 1, precision: 1 },
    { week: "2026-11-23", level: "HIGH", reviewed: 2, confirmed: 1, precision: 0.5 },
  ],
  distribution: { confirmed: [0, 0, 0, 0, 0, 0, 1, 0, 2, 0], notFraud: [0, 0, 0, 1, 0, 0, 0, 0, 1, 0] },
};

const noVerdicts: ModelReport = {
  ...report,
  models: [
    report.models[0]!,
    {
      role: "population",
      version: "shipped",
      description: "the cold-start model shipped with the code, until this deployment has enough history",
    },
  ],
  learning:
    "the IsolationForest score stands alone until 5 confirmed frauds and 30 verdicts on scored transactions are known",
  verdictsLearntFrom: 0,
  fraudsLearntFrom: 0,
  confirmed: 0,
  notFraud: 0,
  precision: [],
  distribution: { confirmed: Array(10).fill(0), notFraud: Array(10).fill(0) },
};

describe("the Model page", () => {
  it("shows the models in use, what they learnt from and each week's precision per alert level", async () => {
    renderApp("/model", { modelReport: vi.fn().mockResolvedValue(report) });

    const models = await screen.findByTestId("models-table");
    const population = within(models).getByText("Population").closest("tr") as HTMLElement;
    expect(within(population).getByText("3f9a1c2b7d4e")).toHaveClass("mono");
    expect(population).toHaveTextContent("fitted on 20000 transactions of 300 accounts");
    expect(within(models).getByText("iforest-4").closest("tr")).toHaveTextContent("shipped with the code");
    expect(screen.getByTestId("learning")).toHaveTextContent(
      "Scores are judged by a layer learnt from 40 verdicts on top of the IsolationForest score",
    );
    expect(screen.getByTestId("learning")).toHaveTextContent("40 verdicts (6 confirmed frauds)");

    const cell = (week: string, level: string) =>
      screen.getByTestId("precision-table").querySelector(`tr[data-id="${week}"] td[data-level="${level}"]`);
    expect(cell("2026-11-23", "HIGH")).toHaveTextContent("50% (1 of 2)");
    expect(cell("2026-11-23", "MEDIUM")).toHaveTextContent("—");
    expect(cell("2026-11-16", "MEDIUM")).toHaveTextContent("100% (1 of 1)");
    expect(screen.getByTestId("verdict-totals")).toHaveTextContent(
      /^Confirmed fraud 3\s*Not fraud 2\s*verdicts on transactions since 2026-09-01$/,
    );
  });

  it("says when no verdict has been given yet", async () => {
    renderApp("/model", { modelReport: vi.fn().mockResolvedValue(noVerdicts) });

    expect(await screen.findByText("No reviewed alerts yet")).toBeInTheDocument();
    expect(screen.getByTestId("learning")).toHaveTextContent(
      "The IsolationForest score stands alone until 5 confirmed frauds",
    );
    expect(screen.getByTestId("learning")).toHaveTextContent("No layer learnt from verdicts is in use yet");
    expect(within(screen.getByTestId("models-table")).getByText("shipped")).toBeInTheDocument();
    expect(screen.getByText("No verdicts yet")).toBeInTheDocument();
    expect(screen.getByTestId("verdict-totals")).toHaveTextContent(/^Confirmed fraud 0\s*Not fraud 0\s*verdicts/);
  });
});
