"""The law and the measures as code: pure Python, no Django.

Import the module that holds a rule (`from ehcflow.statutory import clock`); this package
re-exports nothing, so each name has one home.

- `clock`: every statutory deadline (SEND Regulations 2014, SI 2014/1530; CFA 2014), and
  today's date in England.
- `exceptions`: the exceptions to the time limits and the timeline of one request.
- `records`: plain records of requests and plans; a request's state and stage at a date.
- `measures`: every figure of docs/domain/measures.md over plain records.
- `advice`, `reviews`, `disagreements`: the advice, review and disagreement rules.
- `bank_holidays`, `dates`, `periods`, `rounding`: the calendar and arithmetic they share.
"""
