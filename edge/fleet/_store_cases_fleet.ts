/**
 * FleetStore suite cases about the fleet's view: reports and their pruning (`_store_cases_reports.ts`),
 * lists and hostile strings (`_store_cases_lists.ts`), the summary (`_store_cases_summary.ts`).
 */
import type { StoreCase } from "./_store_fixtures.ts";
import { LIST_CASES } from "./_store_cases_lists.ts";
import { REPORT_CASES } from "./_store_cases_reports.ts";
import { SUMMARY_CASES } from "./_store_cases_summary.ts";

/** The cases. */
export const FLEET_CASES: StoreCase[] = [...REPORT_CASES, ...LIST_CASES, ...SUMMARY_CASES];
