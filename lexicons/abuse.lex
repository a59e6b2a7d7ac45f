# Abuse lexicon: insults and threats (any sender), buyer complaints and
# stop requests (buyer side). Format: lexicons/README.md.
# Seeds: domain.md §2.1 (骚扰他人: 侮辱、恐吓), §3.2 (Aliyun 辱骂/投诉/制造舆情
# models), §4.1, plus pinyin initials and homophones used to dodge filters.

[stop_request]
别发了
不要发了
不要再发
别再发
别再发了
别烦我
别骚扰
不要骚扰
骚扰 | boundary
别再联系
不要再联系我
别联系我
拉黑
