// Canned but realistic step outputs for mock mode. Everything carries the real
// skill name; decisions are never contradictory; step 1 keeps answers.
import fs from 'node:fs';
import path from 'node:path';

export const PURPOSE_LABELS = {
  domain: 'Business process knowledge',
  source: 'Source system customizations',
  'data-engineering': 'Organization specific data engineering standards',
  platform: 'Organization specific Azure or Fabric standards',
};

export function today() {
  return new Date().toISOString().slice(0, 10);
}

function titleCase(name) {
  return String(name || 'skill')
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

/** Facts about the skill: config fields win, then user-context.md, then defaults. */
export function skillFacts(config, dirs) {
  const facts = {
    name: config.skillName || (dirs.skillDir ? path.basename(dirs.skillDir) : 'mock-skill'),
    purpose: config.purpose || null,
    description: null,
    author: config.author || null,
    version: '1.0.0',
  };
  const uc = dirs.workspaceDir ? path.join(dirs.workspaceDir, 'user-context.md') : null;
  if (uc && fs.existsSync(uc)) {
    const text = fs.readFileSync(uc, 'utf8');
    const field = (label) => {
      const m = text.match(new RegExp(`\\*\\*${label}\\*\\*:\\s*(.+)`));
      return m ? m[1].trim() : null;
    };
    if (!facts.purpose) {
      const label = field('Purpose');
      const id = Object.keys(PURPOSE_LABELS).find((k) => PURPOSE_LABELS[k] === label || k === label);
      if (id) facts.purpose = id;
    }
    facts.description = field('Description');
    facts.version = field('Version') || facts.version;
  }
  if (!facts.purpose) facts.purpose = 'domain';
  facts.title = titleCase(facts.name);
  if (!facts.description) facts.description = `${facts.title} knowledge for data and analytics engineers`;
  return facts;
}

const DIMENSIONS = {
  domain: ['entities', 'business-rules', 'metrics', 'lifecycle-states', 'reporting-periods', 'exceptions'],
  source: ['custom-fields', 'extraction', 'change-tracking', 'field-semantics', 'data-quality', 'lifecycle-states'],
  'data-engineering': ['naming', 'layering', 'load-patterns', 'testing', 'orchestration', 'historization'],
  platform: ['workspace-layout', 'capacity', 'security', 'deployment', 'cost-controls', 'monitoring'],
};

function choice(id, text, isOther = false) {
  return { id, text, is_other: isOther };
}

function question(id, title, text, mustAnswer, choices, rec) {
  return {
    id,
    title,
    text,
    must_answer: mustAnswer,
    choices: [...choices, choice(String.fromCharCode(65 + choices.length), 'Other (please specify)', true)],
    recommendation: rec,
    answer_choice: null,
    answer_text: null,
    refinements: [],
  };
}

export function researchPlan(facts) {
  const dims = DIMENSIONS[facts.purpose] || DIMENSIONS.domain;
  const scores = [5, 5, 4, 4, 3, 2];
  const selected = dims.slice(0, 4);
  const rows = dims
    .map((d, i) => `| ${d} | ${scores[i]} | ${scores[i] >= 4 ? 'Core to how ' + facts.title + ' is modelled' : 'Covered well enough by general knowledge'} | ${i === 0 ? 'pairs with ' + dims[1] : '-'} |`)
    .join('\n');
  const sel = selected.map((d) => `| ${d} | Organisation-specific ${d.replace(/-/g, ' ')} for ${facts.title} |`).join('\n');
  return `---
purpose: ${facts.purpose}
domain: ${facts.title}
topic_relevance: relevant
dimensions_evaluated: ${dims.length}
dimensions_selected: ${selected.length}
---
# Research Plan: ${facts.title}

## Dimension scores

| Dimension | Score | Reason | Companion note |
|---|---|---|---|
${rows}

## Selected dimensions

| Dimension | Focus |
|---|---|
${sel}
`;
}

export function clarifications(facts) {
  const t = facts.title;
  const sections = [
    {
      id: 'S1',
      title: 'Scope and core concepts',
      description: `What ${t} covers in your organisation`,
      questions: [
        question('Q1', 'Primary use case', `What is the primary use case the ${t} skill must support?`, true,
          [choice('A', 'Operational reporting'), choice('B', 'Analytical modelling'), choice('C', 'Both, operational first')], 'C'),
        question('Q2', 'Source of truth', `Which system is the source of truth for ${t} data?`, true,
          [choice('A', 'The ERP'), choice('B', 'The CRM'), choice('C', 'A curated warehouse layer')], 'A'),
        question('Q3', 'Granularity', 'At what grain should facts be modelled?', false,
          [choice('A', 'Transaction line'), choice('B', 'Daily snapshot'), choice('C', 'Monthly snapshot')], 'A'),
      ],
    },
    {
      id: 'S2',
      title: 'Rules and edge cases',
      description: 'Business rules that general knowledge gets wrong',
      questions: [
        question('Q4', 'Late-arriving changes', 'How should late-arriving corrections be handled?', false,
          [choice('A', 'Restate history'), choice('B', 'Apply in the current period'), choice('C', 'Keep both versions')], 'A'),
        question('Q5', 'Currency handling', 'Which currency should amounts be reported in?', false,
          [choice('A', 'Transaction currency'), choice('B', 'Group reporting currency'), choice('C', 'Both')], 'C'),
      ],
    },
  ];
  const all = sections.flatMap((s) => s.questions);
  const must = all.filter((q) => q.must_answer).map((q) => q.id);
  return {
    version: '1',
    metadata: {
      title: `${t} clarifications`,
      question_count: all.length,
      section_count: sections.length,
      refinement_count: 0,
      must_answer_count: must.length,
      priority_questions: must,
      scope_recommendation: false,
    },
    sections,
    notes: [
      {
        type: 'flag',
        title: 'Mock research',
        body: 'Generated by the Skill Builder mock agent runtime; no model was called.',
      },
    ],
  };
}

function isAnswered(q) {
  return (q.answer_choice !== null && q.answer_choice !== undefined) || (typeof q.answer_text === 'string' && q.answer_text.trim() !== '');
}

/** Step 1: add 1 refinement to each of the first three questions; answers untouched. */
export function addRefinements(doc) {
  const questions = (doc.sections || []).flatMap((s) => s.questions || []);
  let added = 0;
  questions.slice(0, 3).forEach((q, i) => {
    const n = String(q.id || `Q${i + 1}`).replace(/^Q/, '');
    const id = `R${n}.1`;
    q.refinements = Array.isArray(q.refinements) ? q.refinements : [];
    if (q.refinements.some((r) => r.id === id)) return;
    q.refinements.push({
      id,
      parent_question_id: q.id,
      title: `${q.title || 'Question'}: exceptions`,
      text: `Are there exceptions to your answer on "${q.title || q.id}" that the skill must know about?`,
      must_answer: false,
      choices: [choice('A', 'No exceptions'), choice('B', 'Exceptions for specific business units'), choice('C', 'Exceptions during period close'), choice('D', 'Other (please specify)', true)],
      recommendation: 'A',
      answer_choice: null,
      answer_text: null,
      refinements: [],
    });
    added += 1;
  });
  doc.metadata = doc.metadata || {};
  doc.metadata.refinement_count = questions.reduce((acc, q) => acc + (q.refinements || []).length, 0);
  return added;
}

function answerOf(q) {
  const choices = q.choices || [];
  if (typeof q.answer_text === 'string' && q.answer_text.trim() !== '' && (!q.answer_choice || q.answer_choice === 'custom')) {
    return { text: q.answer_text.trim(), how: 'answered' };
  }
  if (q.answer_choice) {
    const c = choices.find((x) => x.id === q.answer_choice);
    const extra = typeof q.answer_text === 'string' && q.answer_text.trim() ? ` (${q.answer_text.trim()})` : '';
    if (c) return { text: `${c.text}${extra}`, how: 'answered' };
  }
  const recId = typeof q.recommendation === 'string' ? q.recommendation.trim().charAt(0) : null;
  const rec = choices.find((x) => x.id === recId) || choices.find((x) => !x.is_other);
  return { text: rec ? rec.text : 'Use the common industry default', how: 'recommended' };
}

/** Step 2: one resolved decision per question and refinement, never contradictory. */
export function decisions(facts, doc) {
  const items = [];
  for (const s of (doc && doc.sections) || []) {
    for (const q of s.questions || []) {
      items.push(q);
      for (const r of q.refinements || []) items.push(r);
    }
  }
  if (items.length === 0) items.push(...clarifications(facts).sections.flatMap((s) => s.questions));
  const blocks = items.map((q, i) => {
    const a = answerOf(q);
    return `### D${i + 1}: ${q.title || q.id}
- **Original question**: ${q.text || q.title}
- **Decision**: ${a.text}${a.how === 'recommended' ? ' (recommended default; the question was not answered)' : ''}
- **Implication**: The ${facts.title} skill documents this as the organisation's rule and applies it in every example.
- **Status**: resolved
`;
  });
  return `---
decision_count: ${items.length}
conflicts_resolved: 0
round: 1
---
# Decisions: ${facts.title}

${blocks.join('\n')}`;
}

export function referenceFiles(facts) {
  const t = facts.title;
  return [
    {
      file: 'core-concepts.md',
      content: `# ${t}: Core Concepts\n\nThe entities, grain and source of truth agreed in decisions.md.\n\n## Entities\n- Primary business entity and its natural key\n- Supporting reference data\n\n## Grain\nFacts are modelled at the grain chosen in the decisions; never mix grains in one table.\n`,
    },
    {
      file: 'business-rules.md',
      content: `# ${t}: Business Rules\n\n## Late-arriving corrections\nFollow the restatement rule from the decisions.\n\n## Currency\nCarry both transaction and reporting currency when the decisions say so.\n`,
    },
    {
      file: 'edge-cases.md',
      content: `# ${t}: Edge Cases\n\n| Case | Handling |\n|---|---|\n| Period close adjustments | Apply to the period they belong to |\n| Missing reference data | Route to an "unknown" member, never drop rows |\n| Duplicate source records | Keep the latest by load timestamp |\n`,
    },
  ];
}

/** A YAML double-quoted string: metadata values stay text (`1.10` is not the number 1.1). */
function yamlString(v) {
  return JSON.stringify(String(v));
}

// Only the open Agent Skills keys at the top level (`skill-builder lint` default mode and
// Claude.ai uploads refuse others); version, author and dates live under `metadata`.
export function skillMd(facts, refs, { created, modified } = {}) {
  const standards = facts.purpose === 'data-engineering' || facts.purpose === 'platform';
  const refLines = refs.map((r) => `- [references/${r.file}](references/${r.file}) — ${r.content.split('\n')[0].replace(/^#\s*/, '')}`).join('\n');
  const specific = standards
    ? `## Getting Started

1. Read the Quick Reference below.
2. Check the naming rules in references/core-concepts.md.
3. Apply the load pattern that matches your source.
4. Add the required tests.
5. Review the decision dependency map before deviating from a rule.

## Decision Dependency Map

- Grain → load pattern → tests
- Currency rule → reporting layer design
`
    : `## Key Questions This Skill Answers

- What is the source of truth for ${facts.title} data, and at which grain?
- How are late-arriving corrections and currencies handled?
- Which edge cases break naive models?
`;
  return `---
name: ${facts.name}
description: Explains ${facts.description}. Use when building or reviewing ${facts.title} models and pipelines. Works by applying the organisation's agreed decisions and rules. Also use when answering questions about ${facts.title} edge cases.
metadata:
  version: ${yamlString(facts.version)}
  author: ${yamlString(facts.author || 'skill-builder')}
  created: ${yamlString(created || today())}
  modified: ${yamlString(modified || today())}
---
# ${facts.title}

## Overview

This skill captures how your organisation handles ${facts.title}: the decisions made during
research, the business rules that generic knowledge gets wrong, and the edge cases to watch.

## Quick Reference

| Topic | Rule |
|---|---|
| Source of truth | As decided in D2 |
| Grain | As decided in D3 |
| Corrections | As decided in D4 |

${specific}
## Reference Files

${refLines}
`;
}

export function evaluations(facts) {
  return `# Evaluations: ${facts.title}

## Scenario 1: Source of truth
**Prompt**: Where should I load ${facts.title} data from?
**Expected**: Names the agreed source system and explains why.

## Scenario 2: Late-arriving correction
**Prompt**: A correction for last month arrived today. What do I do?
**Expected**: Applies the restatement rule from the decisions.

## Scenario 3: Currency
**Prompt**: Which currency should this report use?
**Expected**: Follows the currency decision and mentions both columns when required.
`;
}

/** `evals/evals.json` in skill-creator's format: 3 evals built from the decisions. */
export function evalsJson(facts) {
  const t = facts.title;
  const doc = {
    skill_name: facts.name,
    evals: [
      {
        id: 1,
        prompt: `Where should I load ${t} data from, and at which grain?`,
        expected_output: 'Names the agreed source of truth and the grain from the decisions.',
        files: [],
        expectations: [
          'regex: (?i)source of truth|source system',
          'The answer names one system as the source of truth.',
          'The answer states the grain of the data.',
        ],
      },
      {
        id: 2,
        prompt: `A correction for last month's ${t} figures arrived today. What do I do?`,
        expected_output: 'Applies the restatement rule from the decisions.',
        files: [],
        expectations: [
          'regex: (?i)restat|correct',
          'The answer says whether last month is restated or the correction is booked in the current period.',
        ],
      },
      {
        id: 3,
        prompt: `Which currency should the ${t} report use?`,
        expected_output: 'Follows the currency decision and mentions both columns when required.',
        files: [],
        expectations: ['contains: currency', 'The answer names the currency column or columns to report.'],
      },
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** `evals/triggers.json`: 8 queries that should trigger the skill and 8 near-misses. */
export function triggersJson(facts) {
  const t = facts.title;
  const should = [
    `Which system is the source of truth for ${t} data?`,
    `How do we model ${t} at the right grain in the warehouse?`,
    `A late correction for ${t} arrived; do we restate last month?`,
    `Which currency columns does our ${t} reporting use?`,
    `Review this ${t} pipeline against our agreed rules.`,
    `What edge cases break naive ${t} models here?`,
    `Explain our ${t} business rules to a new analyst.`,
    `Is this ${t} dashboard metric defined the way we agreed?`,
  ];
  const shouldNot = [
    'Write a Python function that reverses a linked list.',
    `Translate this ${t} announcement into French.`,
    'What is the weather in Paris tomorrow?',
    'Fix the CSS so the sidebar stays on the left.',
    `Summarise this news article about a competitor's ${t} launch.`,
    'How do I install Node.js 20 on Ubuntu?',
    'Draft a polite email declining a meeting.',
    'Explain what a SQL window function is in general.',
  ];
  const doc = [
    ...should.map((query) => ({ query, should_trigger: true })),
    ...shouldNot.map((query) => ({ query, should_trigger: false })),
  ];
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** The answer evaluator's verdict, computed from the real clarifications file. */
export function answerEvaluation(doc) {
  const items = [];
  for (const s of (doc && doc.sections) || []) {
    for (const q of s.questions || []) {
      items.push(q);
      for (const r of q.refinements || []) items.push(r);
    }
  }
  const perQuestion = items.map((q) => {
    let verdict = 'not_answered';
    if (isAnswered(q)) {
      const text = typeof q.answer_text === 'string' ? q.answer_text.trim() : '';
      // Free text stands alone when no choice, "custom" or the "Other" choice was picked.
      const chosen = (q.choices || []).find((c) => c.id === q.answer_choice);
      const freeText = !q.answer_choice || q.answer_choice === 'custom' || Boolean(chosen && chosen.is_other);
      const vague = freeText && (text.split(/\s+/).length < 5 || /not sure|tbd|don't know/i.test(text));
      verdict = vague ? 'vague' : 'clear';
    }
    return { question_id: q.id, verdict };
  });
  const count = (v) => perQuestion.filter((p) => p.verdict === v).length;
  const answered = count('clear') + count('needs_refinement');
  const empty = count('not_answered');
  const vague = count('vague');
  let verdict = 'mixed';
  if (items.length > 0 && answered === items.length) verdict = 'sufficient';
  else if (answered === 0) verdict = 'insufficient';
  return {
    verdict,
    answered_count: answered,
    empty_count: empty,
    vague_count: vague,
    contradictory_count: 0,
    total_count: items.length,
    reasoning: `${answered} of ${items.length} questions have clear answers (mock evaluation).`,
    per_question: perQuestion,
  };
}
