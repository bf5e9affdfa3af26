"""Trust questions over the two bundled articles (issue #19), shared by tests/test_trust.py and
bench/trust_check.py: near-topic news questions the articles do not answer, and ones they do.

``OUT_OF_CORPUS``: each was checked against both articles in ``corpus/``; neither states the
answer (the comments say what the articles do say nearby). ``ANSWERABLE``: questions one
sentence answers, with a phrase of that sentence ("a|b": either) the first quote must hold;
some look like the out-of-corpus ones (OpenAI's valuation, 微软的市值, Apple's market value).
"""
from __future__ import annotations

# Questions neither article answers. Each was checked against both articles; the comment says
# what the articles do say nearby, when they say anything.
OUT_OF_CORPUS = [
    # Chinese
    "孙正义为什么投资OpenAI？",  # 孙正义 only stands at the 星际之门 announcement; no OpenAI investment, no reason
    "苹果公司2024年的营收是多少？",  # only Apple's market value (2.85万亿美元) is stated
    "谷歌向Anthropic投资了多少钱？",  # neither Anthropic nor a Google investment is mentioned
    "亚马逊向Anthropic投资了多少钱？",
    "纳德拉的年薪是多少？",
    "微软去年的净利润是多少？",  # only its market value and the tripled share price
    "OpenAI有多少名员工？",  # only 几十位微软工程师 working in its office
    "OpenAI 2019年的估值是多少？",  # only the 1570亿美元 valuation of the October 2024 round
    "OpenAI 2023年的营收是多少？",  # only the expected 50亿美元 loss this year
    "xAI最近一轮融资的估值是多少？",
    "马斯克为什么离开OpenAI？",  # Musk co-founded it and was co-chair; leaving is not mentioned
    "Anthropic的创始人是谁？",
    "谷歌DeepMind的CEO是谁？",  # Suleyman is called one of its co-founders, nobody its CEO
    "英伟达在OpenAI这轮融资中投资了多少钱？",  # 英伟达 took part; no amount
    "软银向OpenAI投资了多少钱？",  # 软银 leads the 星际之门 investment, not one in OpenAI
    "特朗普是哪一年当选美国总统的？",
    "2024年1月，软银和甲骨文宣布了什么项目？",  # the 星际之门 announcement was 今年1月 of an article of 2025
    "甲骨文去年的营收是多少？",  # only the ~100亿美元 compute contract with OpenAI
    "奥特曼毕业于哪所大学？",
    "Meta今年在AI上投入了多少资金？",  # Meta only adjusted its product plans
    "Copilot有多少付费用户？",  # 纳德拉 makes Copilot sales a priority; no user figure
    "ChatGPT有多少日活跃用户？",  # only weekly active users (超过5亿)
    "GPT-5什么时候发布？",  # 「GPT-5」 is named as a juncture, no date
    "穆拉蒂离开OpenAI后创办了什么公司？",
    "星际之门项目的数据中心建在哪里？",
    "Kevin Scott什么时候加入微软？",
    # English
    "Who founded Anthropic?",
    "Why did Masayoshi Son invest in OpenAI?",
    "What was Apple's revenue in 2024?",
    "How much has Google invested in Anthropic?",
    "How much did Amazon invest in Anthropic?",
    "What is Satya Nadella's salary?",
    "How old is Sam Altman?",
    "What is xAI's valuation?",
    "When did Elon Musk leave OpenAI?",
    "Who is Dario Amodei?",
    "How many employees does OpenAI have?",
    "What was Microsoft's net profit last year?",
    "What was OpenAI's valuation in 2019?",
    "What was OpenAI's revenue in 2023?",
    "How much did Nvidia invest in OpenAI's latest funding round?",
    "How much did SoftBank invest in OpenAI?",
    "Who is the CEO of Google DeepMind?",
    "When will GPT-5 be released?",
    "What company did Mira Murati start after leaving OpenAI?",
    "How many paying subscribers does ChatGPT have?",
    "Where did Satya Nadella go to university?",
    "Why did Greg Brockman take a long leave?",  # his leave and planned return are stated, no reason
    "How much did Meta spend on AI in 2024?",
    "Who replaced Mira Murati as OpenAI's CTO?",
]

# Questions one sentence answers, with a phrase of that sentence ("a|b": either).
ANSWERABLE = [
    # Chinese
    ("微软的市值是多少？", "2.86万亿美元"),
    ("苹果的市值是多少？", "苹果的市值为2.85万亿美元"),
    ("微软是哪天超越苹果成为全球市值最高的上市公司的？", "2024年1月12日"),
    ("OpenAI现在估值多少钱？", "估值达到1570亿美元"),
    ("OpenAI今年预计亏损多少？", "亏损50亿美元"),
    ("OpenAI是哪一年成立的？", "2015年"),
    ("纳德拉和阿尔特曼是在哪里认识的？", "太阳谷|楼梯间偶遇"),
    ("星际之门项目将获得多少投资？", "5000亿美元"),
    ("微软迄今向OpenAI投入了多少现金？", "130亿美元|140亿美元"),
    ("ChatGPT是什么时候掀起生成式AI热潮的？", "2022年11月"),
    ("2024年12月底微软和OpenAI对协议做了什么修改？", "删除了与云相关的排他性条款"),
    ("苏莱曼在会议上呵斥了谁？", "对OpenAI的律师大声呵斥"),
    ("微软的首席技术官是谁？", "微软首席技术官 Kevin Scott"),
    ("苹果为什么退出OpenAI的这轮融资？", "高层动荡"),
    ("OpenAI员工为什么对微软找来Suleyman感到愤怒？", "Suleyman 的团队是微软工程师团队的一部分"),
    ("Gil Luria是哪家投资银行的分析师？", "D.A. Davidson"),
    # the article of 2025-04-30 writes 今年1月: the year comes from its date
    ("2025年1月，软银和甲骨文宣布了什么项目？", "星际之门"),
    # English
    ("What is Microsoft's market value?", "2.86万亿美元"),
    ("What was Apple's market value when Microsoft overtook it?", "苹果的市值为2.85万亿美元"),
    ("How much was Microsoft's first investment in OpenAI?", "微软向OpenAI投资10亿美元"),
    ("When did OpenAI launch the generative AI boom with ChatGPT?", "2022年11月"),
    ("How many people co-founded OpenAI?", "11人共同创立"),
    ("How much will SoftBank and Oracle invest in the Stargate project?", "5000亿美元"),
    ("Who is the president of OpenAI?", "OpenAI 总裁 Greg Brockman"),
    ("When will Greg Brockman return to the negotiations?", "11月结束长期休假"),
    ("Which other companies took part in OpenAI's $6.6 billion round?", "英伟达、MGX 以及其他公司也参与了此次融资"),
    ("Where was Nadella when the Stargate project was announced?", "世界经济论坛"),
    ("What happens to Microsoft if OpenAI develops AGI?", "微软就将失去对 OpenAI 技术的使用权"),
    ("Who decides when AGI has arrived?", "OpenAI 董事会可以决定 AGI 何时到来"),
    ("How many Microsoft engineers work at OpenAI's San Francisco office?", "几十位微软工程师"),
    ("Who interviewed Altman at Tech Live?", "乔安娜・斯特恩|Joanna Stern"),
    ("How much has Microsoft's share price risen?", "飙升至原来的三倍"),
    ("Why did Suleyman shout at an OpenAI employee?", "未能以足够快的速度向微软交付新技术"),
    ("Why do OpenAI employees blame Microsoft?", "没有为 OpenAI 提供所需的计算能力|没有提供足够的计算能力"),
]

# Known gaps on 2026-12-04 (bench/trust_check.py; tests/test_trust.py marks them xfail): out-of-corpus
# questions still answered, mostly where the articles mention every name the question asks about
# but not the relation (孙正义 stood beside the Stargate announcement; 英伟达 took part in the round
# without an amount), and most English ones (the English answerability model separates poorly).
STILL_ANSWERED = frozenset({
    "OpenAI有多少名员工？",
    "马斯克为什么离开OpenAI？",
    "英伟达在OpenAI这轮融资中投资了多少钱？",
    "软银向OpenAI投资了多少钱？",
    "When did Elon Musk leave OpenAI?",
    "How many employees does OpenAI have?",
    "How much did Nvidia invest in OpenAI's latest funding round?",
    "When will GPT-5 be released?",
    "What company did Mira Murati start after leaving OpenAI?",
    "Where did Satya Nadella go to university?",
    "Why did Greg Brockman take a long leave?",
    "Who replaced Mira Murati as OpenAI's CTO?",
})
# Answerable questions whose first quote is wrong or that are refused.
STILL_WRONG = frozenset({
    "纳德拉和阿尔特曼是在哪里认识的？",
    "How much was Microsoft's first investment in OpenAI?",
    # ECDICT's senses and the refitted cross-lingual order (session 21) quote the overtaking sentence,
    # which gives no value; the co-founding question is answered since (co-found → 共同创立)
    "What was Apple's market value when Microsoft overtook it?",
    "How much will SoftBank and Oracle invest in the Stargate project?",
    "Who is the president of OpenAI?",
    "How much has Microsoft's share price risen?",
    "Why do OpenAI employees blame Microsoft?",
})
