"""Tests of qa.ingest.corpus / qa.ingest.formats / qa.ingest.charset: formats, encodings, errors, the bundled corpus."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.ingest.corpus import load_corpus, load_file, parse_date
from qa.errors import CorpusError

CORPUS = Path(__file__).parent.parent / "corpus"

SEED_000_LINES = (
    '神秘的合约条款被曝光。',
    'OpenAI 和自己最大的金主微软,最近出现了关系破裂的迹象。一边是想要更多钱,想要独立性,另一边是已经在分开下注。',
    '本周五一系列新消息的出炉,让「科技领域最好兄弟」的分歧曝光了。',
    '引爆生成式 AI 技术之后,OpenAI 已成为科技领域最炙手可热的公司。就在本月,该公司完成了一轮66亿美元的融资,估值达到1570亿美元。确定营利组织的大方向后,如何分配利益是它面临的最大挑战之一。',
    '去年秋天,OpenAI 首席执行官山姆・奥特曼(Sam Altman)询问微软首席执行官萨蒂亚・纳德拉(Satya Nadella),这家科技巨头是否会向这家初创公司投资数十亿美元。',
    '据《纽约时报》报道,彼时微软已经向 OpenAI 注入了130亿美元,纳德拉最初愿意继续提供现金。但在 OpenAI 董事会宫斗,短暂罢免了奥特曼之后。据四位不愿透露姓名的知情人士透露,纳德拉和微软重新考虑了这一决定。',
    '在接下来的几个月里,微软毫不让步,因为预计今年将亏损50亿美元的 OpenAI 仍在要求更多资金和更多算力来推动和运行 AI 大模型系统。',
    '众所周知,下一代大模型的构建需要耗费巨大的算力,且 OpenAI 在技术层面上一直处于领先地位,如果继续支持,领先的程度或许会更大。但到了「GPT-5」这个节点上,似乎微软也开始犯嘀咕了。',
    '奥特曼曾表示,OpenAI 与微软的合作是「科技领域里最好的兄弟情谊」,但两家公司之间的关系已经开始出现紧张。根据对19名熟悉两家公司关系的人士的采访,OpenAI 正面临的财务压力、管理层震荡以及微软与 OpenAI 员工之间的分歧。这一切正使得五年的合作伙伴关系变得紧张。',
    '如今的局势表明 AI 创业公司正面临着一个关键挑战:它们必须依赖世界科技巨头的资金和基础算力,因为这些大公司控制着开发人工智能所需的大规模云计算系统。',
    'AI 创业公司放手发展技术,由背后的大厂提供资金和算力,是快速推进大模型研发的「标准模式」。微软和 OpenAI 的合作正是其中的典范。当 OpenAI 获得微软巨额投资时,它同意达成一项独家协议——从微软购买计算能力,并与这家科技巨头在新的生成式 AI 领域密切合作。',
    '「我们非常感谢能与微软合作;他们很早就开始压下重注,他们提供的大量计算资源对于我们的研究突破至关重要,两家公司都受益匪浅,」奥特曼周四在一份声明中表示。「我们很高兴并致力于追求我们共同的愿景,期待在未来共同取得更大的成就。」',
    '然而,在过去的一年里,OpenAI 一直在试图重新谈判这笔交易,以帮助它获得更多的计算能力并减少巨额开支,而微软高管则越来越担心他们的人工智能工作过于依赖 OpenAI。',
    '据五位消息人士透露,纳德拉私下曾表示,奥特曼去年11月被公司弹劾令他感到震惊和担忧。',
    '或许就是从那时起,微软开始对冲对 OpenAI 的赌注。',
    '「我们在合作的许多不同阶段持续对 OpenAI 进行投资,」微软首席技术官 Kevin Scott 在最近的一次采访中表示。「我们当然是他们最大的资本投资者。」',
    '但在今年3月,微软支付了至少6.5亿美元,把 OpenAI 的竞争对手 Inflection几乎挖空。Inflection 的前首席执行官兼联合创始人 Mustafa Suleyman 现在负责管理微软的消费级 AI 新团队,致力于基于 OpenAI 软件为消费者打造人工智能技术。据两位熟悉微软计划的人士透露,他会是微软长期努力打造可以取代 OpenAI 技术的关键人物。',
    '「如果微软只使用 OpenAI 的技术,它可能会变得落后,」投资银行 D.A. Davidson 的分析师 Gil Luria 表示。「这是一场真正的竞赛 ——OpenAI 也存在没有赢下的可能性。」',
    '据五位知情人士透露,OpenAI 的一些高管和员工,包括奥特曼本人,对微软找来 Suleyman 感到愤怒,这直接源于 Suleyman 的团队是微软工程师团队的一部分,他们直接与 OpenAI 的员工对接。几十位微软工程师在 OpenAI 位于旧金山的办公室现场工作,并使用 OpenAI 提供的笔记本电脑,这些电脑设置了保障这家初创公司安全协议的措施。',
    '据两位知情人士透露,最近一些 OpenAI 员工抱怨称,Suleyman 在一次视频会议中对一名 OpenAI 员工大声斥责,因为他认为这家初创公司未能以足够快的速度向微软交付新技术。还有一些人对微软的工程师下载重要的 OpenAI 软件时没有遵守双方协议的操作流程感到不满。',
    'Inflection 的创始人 Mustafa Suleyman 现在负责微软的一个新团队,该团队致力于基于 OpenAI 软件为消费者开发 AI 技术。',
    '在微软退出关于追加资金的讨论后,OpenAI 处境开始变得艰难。它需要更多资金来维持运营,同时公司高管们对合同的排他性感到不满。据七位知情人士透露,过去一年里,OpenAI 一再尝试谈判从而降低成本,并希望能够从其他公司购买算力资源。',
    '而据六位知情人士透露,今年6月,微软同意在合同中做出例外处理。这使得 OpenAI 能够与 Oracle 签订一份约100亿美元的计算合同,为其提供额外的计算资源。据两位知情人士透露,Oracle 提供的是适用于 AI 大模型训练的算力,而微软则提供驱动这些硬件的软件。',
    '据一位知情人士透露,最近几周,OpenAI 与微软就未来的一份合同进行了谈判。尽管具体条款尚不清楚,但此次谈判减少了微软向这家较小的公司收取算力资源费用的金额。',
    'OpenAI 在寻找算力资源获取的替代方案的同时,据两位知情人士透露,OpenAI 还加快了扩大投资者范围的步伐。',
    'OpenAI 的计划之一是确保来自战略投资者的资金,这些投资者不仅仅提供资金,还能以其他方式帮助提升 OpenAI 的前景。',
    '这些组织包括苹果、芯片制造商英伟达,以及由阿联酋控制的科技投资公司 MGX。',
    '奥特曼和 OpenAI 多年来一直在与苹果讨论潜在的合作关系,比如:2022年,OpenAI 开发 ChatGPT 核心技术时,奥特曼曾和微软首席技术官 Kevin Scott 与苹果高管会面,探讨三家公司合作的可能性。据两位知情人士透露,该会议最终促成了苹果同意在今年早些时候在 iPhone 上引入 ChatGPT 这一决策。',
    '英伟达是另一个重要的合作伙伴,因为它设计了 OpenAI 构建 AI 技术所需的计算芯片。MGX 则参与了 OpenAI 的一个雄心勃勃的计划,即在全球建立新的计算数据中心。',
    '本月早些时候,OpenAI 完成了由 Thrive Capital 领投的66亿美元融资,英伟达、MGX 以及其他公司也参与了此次融资。',
    '虽然因为今年九月 OpenAI 又出现了高层动荡,苹果在最后时刻选择退出,但微软在这一轮仍然跟进了。',
    '根据《纽约时报》审阅的文件,OpenAI 预计到2024年底前至少在计算成本上花费54亿美元。该金额预计将在未来五年内迅速增加,到2029年,年计算成本甚至可能飙升至375亿美元。',
    '目前尚不清楚 OpenAI 与微软合作关系的最新调整将如何改变这一趋势,但据一位了解公司战略的人士透露,微软高管对这些变化感到满意。微软可以继续从 OpenAI 不断取得进展的技术中获益,而 OpenAI 也会继续为大量计算资源的获取而支付给微软。',
    '尽管如此,据三位知情人士透露,OpenAI 的员工抱怨微软没有提供足够的计算能力。另有两位知情人士还表示:「有人抱怨:如果另一家公司率先创造出具有人脑能力的 AI,微软将难辞其咎,因为它没有为 OpenAI 提供所需的计算能力。」',
    '奇怪的是,这也可能是 OpenAI 摆脱与微软合约束缚的关键。据称,两家签订的合同中包含一项条款,规定如果 OpenAI 开发出通用人工智能(AGI):即当前人工智能领域的重要目标,与人脑能力相近的机器智能,微软就将失去对 OpenAI 技术的使用权。',
    '据一位熟悉该公司谈判情况的人士称,该条款旨在确保像微软这样的公司不会滥用未来强大的 AGI 能力。但如今,OpenAI 高管认为这是获得更好合同的途径。因为根据合同条款,OpenAI 董事会可以决定 AGI 何时到来。',
    '目前,争执已经上升到了台面上。据《华尔街日报》报道,基于最新一轮融资的结果,微软正与 OpenAI 就股权展开博弈。微软寻求以迄今为止向 OpenAI 注入的140亿美元现金换取大量股权,两家公司都在向投资银行寻求谈判的建议。',
    '据知情人士透露,微软已聘请摩根士丹利,OpenAI 则聘请了高盛作为其顾问。',
    '在转向营利机构之后,除了弄清楚微软将拥有多少股份以外,双方还必须弄清楚它们将各自拥有哪些治理权。',
    '据报道,OpenAI 总裁 Greg Brockman 计划最早于11月结束长期休假,回到谈判当中来。',
    '参考内容:',
    'https://www.nytimes.com/2024/10/17/technology/microsoft-openai-partnership-deal.html',
    'https://www.wsj.com/tech/ai/the-14-billion-question-dividing-openai-and-microsoft-71cf7d37',
    'https://techcrunch.com/2024/10/18/microsoft-could-end-up-with-substantial-equity-in-the-restructured-for-profit-openai/',
)
SEED_001_PARAGRAPHS = (
    '智东西4月30日消息,据外媒《华尔街日报》昨日上午报道,OpenAI联合创始人兼CEO萨姆・阿尔特曼(Sam Altman)与微软董事长兼CEO萨蒂亚・纳德拉(Satya Nadella),曾称赞彼此拥有“科技界最佳合作关系”,如今却渐行渐远。',
    'OpenAI联合创始人兼CEO阿尔特曼(左)与微软董事长兼CEO纳德拉(右)',
    '过去六年,微软凭借数十亿美元的投资推动了OpenAI这家AI初创公司的发展,助力OpenAI的ChatGPT拥有超过5亿周活跃用户,而OpenAI为微软打造的前沿生成式AI工具,也让微软股价飙升至原来的三倍。',
    '如今,二者的关系却日趋紧张。据外媒《华尔街日报》报道,两位CEO在微软为OpenAI提供的计算能力、OpenAI给予微软对其模型的访问权限,以及阿尔特曼领导的公司的AI系统是否即将实现类人智能等问题上,分歧日益加深。',
    '在计算资源供应层面,双方存在分歧。OpenAI期望从微软获取更多计算能力与顶尖芯片,以满足其模型训练与迭代需求;而微软表示已尽力供应,并放宽了合作中的部分独家限制条款。',
    '在模型访问权限方面,双方矛盾凸显。OpenAI在新技术与模型代码交付上有所延迟,例如去年夏天新推理模型“Strawberry”交付进度缓慢,引发微软不满;OpenAI则认为需要时间深入了解模型能力,这让微软对获取前沿技术的进程充满担忧。',
    '在AI技术发展方向上,双方争议显著。OpenAI致力于研发一种模拟人类智能的AI模型( humanlike intelligence),阿尔特曼对团队短期内实现这一目标充满信心;根据双方协议,若OpenAI成功构建类人智能模型,董事会有权调整与微软的合作关系。然而,微软认为当前技术距离这一目标仍有较大差距,纳德拉透露相关设定“毫无意义”,双方在AI技术路线与发展节奏上的分歧逐渐扩大。',
    '一、纳德拉聚焦Copilot,OpenAI微软达成降价协议',
    'OpenAI自2015年成立以来,一直致力于AI技术的前沿研究与开发。但随着AI领域竞争日益激烈,研发成本不断攀升,原有的非营利性模式对资本流入限制愈发明显,在吸引投资方面面临阻碍,严重制约了其技术迭代与业务拓展的步伐',
    '据《华尔街日报》报道,微软CEO纳德拉将提升Copilot的销量与使用率列为重点工作事项,为获取更多资金支持,满足持续增长的研发投入需求,OpenAI计划重组为一家独立的营利性公司,期望通过更灵活的股权结构与商业模式,吸引投资者,进一步提升其在AI领域的竞争力。',
    '微软实际上有能力阻止OpenAI重组为一家独立的营利性公司。若今年年底前无法完成转型,OpenAI可能损失数百亿美元。不过,微软迄今尚未宣布要采取此类行动。',
    'OpenAI董事会可以触发合同中的一项条款,阻止微软访问其最前沿的技术。过去一年,OpenAI管理层已提出过这种可能性。2024年12月底,两家公司修改了协议,删除了与云相关的排他性条款,这意味着OpenAI可以自由寻求其他云服务提供商。2025年1月,双方还就未来合同中微软向OpenAI收取的算力费用达成了降价协议。',
    '在二者合作关系调整后,外界猜测两家公司关系已经不复往常,于是阿尔特曼在X上发布与纳德拉的合照作为回应。',
    '今年1月份阿尔特曼在社交平台X的发帖',
    '二、微软多年投资超130亿美元促合作,ChatGPT成市值增长关键引擎',
    '纳德拉与阿尔特曼的合作源于2018年7月的一次偶然相遇。在美国爱达荷州太阳谷举行的投资银行艾伦公司年度会议上,两人在楼梯间偶遇。',
    '2015年,阿尔特曼与埃隆・马斯克(Elon Musk)、伊利亚・苏茨克弗(Ilya Sutskever)、约翰・舒尔曼(John Schulman)等11人共同创立了OpenAI实验室。当时,阿尔特曼和马斯克担任联合主席,他们创立实验室的目标是创造通用人工智能(AGI),即具备与人类相当或更优的广泛认知能力,能自主适应并解决多领域复杂问题的AI系统。',
    '2023年10月,在《华尔街日报》年度科技盛会Tech Live上,阿尔特曼接受该报资深个人技术专栏作家乔安娜・斯特恩(Joanna Stern)采访时透露,在一次五分钟的交谈中,他告诉纳德拉,当时仍为非营利组织的OpenAI“将筹集大量资金”。',
    '随后,阿尔特曼和纳德拉决定保持联系。此次会面一年后,微软向OpenAI投资10亿美元(约合人民币72.014亿元),这笔投资使微软获得了OpenAI技术的独家使用权,同时微软成为OpenAI的独家云服务提供商。',
    '在2022年11月,OpenAI凭借ChatGPT掀起了生成式AI热潮。ChatGPT强大的语句生成和问题回答能力,迫使Alphabet和Meta等硅谷巨头彻底调整产品计划。与OpenAI的合作,让微软从一家老牌科技公司,一跃成为现代AI热潮的领军者之一。',
    '据科技媒体The Verge报道,2024年1月12日,微软超越苹果成为全球市值最高的上市公司。微软的市值超过了2.86万亿美元(约合人民币20.59万亿),而苹果的市值为2.85万亿美元(约合人民币20.53万亿)。',
    '在双方关系最为紧密的时期,纳德拉连续给阿尔特曼发送五六条信息,而阿尔特曼也会及时回复,这并不罕见。当双方员工陷入僵局时,阿尔特曼常常会直接将他与纳德拉的对话截图,发布到OpenAI的Slack工作区(一个功能性的线上办公室交流平台)推动事情进展。',
    '2023年1月,微软又投资100亿美元(约合人民币720.14亿元),这笔交易让OpenAI有资金从微软租用数据中心,用于训练新模型。同年11月份,阿尔特曼被OpenAI董事会短暂解职时,纳德拉甚至提出聘请他。',
    '在OpenAI内部,这段阿尔特曼和纳德拉关系从密切到疏远的变动被称为“小插曲”。对纳德拉来说,这可能透露出微软公司需要对阿尔特曼和OpenAI有所防备。',
    '三、OpenAI模型交付迟缓引微软不满,微软拉拢苏莱曼',
    '在阿尔特曼不知情的情况下,纳德拉将目光投向了苏莱曼。微软CEO通过和苏莱曼的一系列会面,成功拉拢了他。其中包括2024年初在瑞士达沃斯的会面,当时纳德拉还与阿尔特曼共同参加了一个小组讨论。',
    '谷歌DeepMind联合创始人之一苏莱曼',
    '微软斥资6.5亿美元(约合人民币46.89亿元)聘请了苏莱曼和他在初创公司Inflection的同事。2024年3月,苏莱曼开始着手构建一个语言模型,旨在与当时OpenAI最先进的大模型GPT-4竞争。',
    '但这个项目开局不利。早期的一次训练结果可能透露出,构建一个与OpenAI相媲美的模型比预期更困难,这使得微软不得不继续依赖OpenAI。在一次关于知识产权共享的会议上,苏莱曼在包括时任OpenAI的前首席技术官米拉・穆拉蒂(Mira Murati)在内的OpenAI高级管理人员面前,对OpenAI的律师大声呵斥。',
    'OpenAI前CEO穆拉蒂',
    '苏莱曼没有回应置评请求。双方关系紧张的一个关键领域是:OpenAI开发一种能够模拟人类智能的AI模型。根据两家公司的协议,一旦OpenAI成功构建出能够模拟人类智能的AI模型,其董事会有权改变与微软的关系。',
    '与此同时,OpenAI希望从微软获得更多计算能力,并使用最先进的芯片。微软则告诉OpenAI,已尽其所能,并放宽了独家限制条款。去年6月21日至9月22日期间,OpenAI在交付其强大的新推理模型“Strawberry”时异常缓慢,这让微软感到不满。',
    '而据行业分析师称,OpenAI可能需要更多时间来了解该模型的能力。',
    '如今,阿尔特曼和纳德拉之间的信息交流减少,主要通过每周的预定电话进行沟通。知情人士称,微软和OpenAI曾就一个雄心勃勃的数据中心项目进行谈判,但在阿尔特曼被短暂解职后,微软搁置了该项目。',
    '今年1月,当阿尔特曼与美国总统特朗普,软银集团的创始人、董事长兼CEO孙正义和甲骨文CEO拉里・埃里森(Larry Ellison)一同站在美国白宫讲台上,宣布软银和甲骨文将牵头对“星际之门”项目投资5000亿美元(约合人民币36007亿元)时,纳德拉正在数千英里外的瑞士达沃斯参加世界经济论坛。值得注意的是,“星际之门”项目与阿尔特曼曾期望与纳德拉合作实现的目标极为相似。',
    '数据库软件公司甲骨文(Oracle)创始人、董事长兼首席技术官埃里森',
    '结语:OpenAI、微软关系转冷,AI行业格局或待重塑',
    '曾经紧密合作,共同推动AI发展的OpenAI与微软,如今关系逐渐疏远。双方在计算能力、模型访问权、技术发展方向等多方面产生分歧,且各自采取行动为独立发展布局。',
    '在全球AI竞赛的关键时期,随着二者关系的变化,AI领域的竞争格局或面临重塑。其他科技公司可能会借此机会调整战略,加大在AI领域的投入与布局。',
    '对于依赖OpenAI与微软技术的企业和开发者而言,也需重新审视技术合作与应用的方向。未来,OpenAI与微软是彻底分道扬镳,还是在竞争中寻求新的合作契机,仍有待观察。',
)

SEED_000_BODY = "\n".join(SEED_000_LINES)
SEED_001_BODY = "\n\n".join(SEED_001_PARAGRAPHS)

SIMPLIFIED = (
    "据报道,微软与OpenAI的合作关系正在发生变化。双方在算力供应、模型访问权限等问题上存在分歧。"
    "知情人士透露,两家公司正在就新的合同条款进行谈判。"
)
TRADITIONAL = (
    "據報導,微軟與OpenAI的合作關係正在發生變化。雙方在算力供應、模型存取權限等問題上存在分歧。"
    "知情人士透露,兩家公司正在就新的合約條款進行談判。"
)

HTML_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>微软与OpenAI关系生变 - 示例新闻网</title>
<meta property="og:title" content="微软与OpenAI关系生变">
<meta property="og:site_name" content="示例新闻网">
<meta property="og:url" content="https://news.example.com/2024/10/18/openai.html">
<meta property="article:published_time" content="2024-10-18T09:30:00+08:00">
<script>var tracker = "脚本噪音SCRIPTNOISE"; console.log(tracker);</script>
<style>.nav {{ color: red; }} /* STYLENOISE */</style>
</head><body>
<nav><a href="/">首页</a> <a href="/tech">科技频道</a> <span>导航菜单NAVNOISE</span></nav>
<article>
<h1>微软与OpenAI关系生变</h1>
<p>OpenAI 和自己最大的金主微软,最近出现了关系破裂的迹象。一边是想要更多钱,想要独立性,另一边是已经在分开下注。</p>
<p>据《纽约时报》报道,微软已经向 OpenAI 注入了130亿美元,纳德拉最初愿意继续提供现金。但在董事会风波之后,微软重新考虑了这一决定。</p>
<p>在接下来的几个月里,微软毫不让步,因为预计今年将亏损50亿美元的 OpenAI 仍在要求更多资金和更多算力。</p>
<p>知情人士透露,两家公司正在就股权展开博弈,并分别聘请了投资银行作为顾问,谈判预计将持续数月之久。</p>
</article>
<footer>版权所有 © 示例新闻网 FOOTERNOISE 京ICP备00000000号</footer>
<script>document.write("SCRIPT2NOISE");</script>
</body></html>
"""


def _load(path: Path, **kwargs) -> tuple[list, list[CorpusError]]:
    errors: list[CorpusError] = []
    return list(load_corpus(path, errors=errors, **kwargs)), errors


# --- the bundled corpus ----------------------------------------------------------------------


def test_bundled_corpus_has_the_two_seed_articles():
    articles, errors = _load(CORPUS)
    assert errors == []
    assert [a.id for a in articles] == [
        "jiqizhixin-2024-10-openai-microsoft",
        "zhidx-2025-04-openai-microsoft",
    ]
    first, second = articles
    assert (first.source, first.date, first.language) == ("机器之心", "2024-10-18", "zh")
    assert (second.source, second.date, second.language) == ("智东西", "2025-04-30", "zh")
    assert first.title == "OpenAI 和自己最大的金主微软,最近出现了关系破裂的迹象"
    assert second.title == "OpenAI微软陷入决裂危机:算力供应、新模型发布节奏、技术路线成三大分歧点"
    assert second.author == "金碧辉"
    assert first.url is None and second.url is None  # no address is known; none is invented
    assert dict(first.meta)["reposted_by"] == "站长之家"
    assert dict(second.meta)["reposted_by"] == "世良情感网"
    assert "title_note" in dict(first.meta) and "date_note" in dict(first.meta)
    assert dict(second.meta)["editor"] == "程茜"


def test_bundled_corpus_text_is_the_seed_body_exactly():
    first, second = list(load_corpus(CORPUS))
    assert first.text == SEED_000_BODY
    assert second.text == SEED_001_BODY
    for article in (first, second):  # no repost boilerplate left
        for junk in ("声明:本文来自于", "授权站长之家", "世良情感网", "编译 | ", "编辑 | "):
            assert junk not in article.text


def test_bundled_corpus_records_what_was_stripped():
    first, second = list(load_corpus(CORPUS))
    stripped_000 = json.loads(dict(first.meta)["stripped"])
    stripped_001 = json.loads(dict(second.meta)["stripped"])
    assert len(stripped_000) == 1 and "声明:本文来自于微信公众号 机器之心" in stripped_000[0]
    assert any("世良情感网" in line for line in stripped_001)
    assert any("编译 | 金碧辉" in line for line in stripped_001)


def test_readme_files_and_hidden_files_are_skipped(tmp_path):
    (tmp_path / "README.md").write_text("# 说明\n\n这不是文章。", encoding="utf-8")
    (tmp_path / ".hidden.md").write_text("隐藏\n\n不该读取。", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("标题\n正文", encoding="utf-8")
    (tmp_path / "news.md").write_text("标题\n\n正文内容。", encoding="utf-8")
    articles, errors = _load(tmp_path)
    assert [a.id for a in articles] == ["news"] and errors == []


# --- encodings -------------------------------------------------------------------------------


def test_gbk_file(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes(("微软与OpenAI关系生变\n" + SIMPLIFIED).encode("gbk"))
    [article] = load_file(path)
    assert article.title == "微软与OpenAI关系生变"
    assert article.text == SIMPLIFIED
    assert article.language == "zh"


def test_big5_file_keeps_traditional_text(tmp_path):
    path = tmp_path / "big5.txt"
    path.write_bytes(("微軟與OpenAI關係生變\n" + TRADITIONAL).encode("big5"))
    [article] = load_file(path)
    assert article.title == "微軟與OpenAI關係生變"
    assert article.text == TRADITIONAL


def test_utf8_with_bom_and_crlf(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + "---\r\ntitle: 标题\r\n---\r\n第一段。  \r\n\r\n第二段。\r\n".encode())
    [article] = load_file(path)
    assert article.title == "标题"
    assert article.text == "第一段。\n\n第二段。"
    assert "\ufeff" not in article.title + article.text


def test_fullwidth_punctuation_is_kept(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("标题\n全角标点:「引号」,逗号;问号?(括号)", encoding="utf-8")
    [article] = load_file(path)
    assert article.text == "全角标点:「引号」,逗号;问号?(括号)"


# --- HTML ------------------------------------------------------------------------------------


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_html_page_body_title_and_metadata(tmp_path, charset):
    path = tmp_path / "page.html"
    # "gbk" pages often hold characters only GB18030 has (here ©): decoded as GB18030.
    path.write_bytes(HTML_PAGE.format(charset=charset).encode(charset.replace("gbk", "gb18030")))
    [article] = load_file(path)
    assert article.title == "微软与OpenAI关系生变"
    assert article.text.startswith("OpenAI 和自己最大的金主微软")
    assert "谈判预计将持续数月之久" in article.text
    for noise in ("SCRIPTNOISE", "SCRIPT2NOISE", "STYLENOISE", "NAVNOISE", "FOOTERNOISE", "科技频道"):
        assert noise not in article.text
    assert article.date == "2024-10-18"
    assert article.url == "https://news.example.com/2024/10/18/openai.html"
    assert article.source == "示例新闻网"
    assert article.id == "page"


def test_an_html_page_whose_extracted_link_is_not_http_keeps_its_text_without_the_link(tmp_path, monkeypatch):
    import trafilatura

    real = trafilatura.bare_extraction

    def extraction_with_an_odd_link(*args, **kwargs):  # trafilatura itself drops most such links
        doc = real(*args, **kwargs)
        doc.url = "ftp://news.example.com/openai.html"
        return doc

    monkeypatch.setattr(trafilatura, "bare_extraction", extraction_with_an_odd_link)
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE.format(charset="utf-8"), encoding="utf-8")
    [article] = load_file(path)
    assert article.url is None and "谈判预计将持续数月之久" in article.text


def test_html_without_article_text_is_an_error(tmp_path):
    path = tmp_path / "empty.htm"
    path.write_text("<html><head><script>var a = 1;</script></head><body><nav>菜单</nav></body></html>")
    with pytest.raises(CorpusError, match=r"empty\.htm: no article text found"):
        load_file(path)


# --- JSON and JSON Lines ---------------------------------------------------------------------


def test_jsonl_bad_line_is_reported_and_the_rest_loads(tmp_path):
    lines = [
        json.dumps({"title": "第一篇", "text": "第一篇的正文。", "date": "2024/10/18"}, ensure_ascii=False),
        '{"title": "坏行", "text": ',
        "",
        json.dumps({"id": "given-id", "title": "第三篇", "text": "第三篇的正文。"}, ensure_ascii=False),
        json.dumps({"title": "第四篇", "text": 42}, ensure_ascii=False),
    ]
    (tmp_path / "news.jsonl").write_text("\n".join(lines), encoding="utf-8")
    articles, errors = _load(tmp_path)
    assert [(a.id, a.title, a.date) for a in articles] == [
        ("news#1", "第一篇", "2024-10-18"),
        ("given-id", "第三篇", None),
    ]
    messages = [str(e) for e in errors]
    assert len(messages) == 2
    assert "news.jsonl: line 2: invalid JSON" in messages[0]
    assert messages[1].endswith("news.jsonl: line 5: field 'text' must be a string")
    assert {e.path for e in errors} == {"news.jsonl"}


def test_load_file_without_errors_list_raises_on_a_bad_line(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text('{"title": "a", "text": "正文"}\nnot json\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"news\.jsonl: line 2: invalid JSON"):
        load_file(path)
    errors: list[CorpusError] = []
    assert [a.id for a in load_file(path, errors=errors)] == ["news#1"] and len(errors) == 1


def test_json_list_and_single_object(tmp_path):
    items = [
        {"id": " a1 ", "title": "标题一", "text": "正文一。", "source": "来源", "url": "https://example.com/a1",
         "author": "作者", "date": "2024年10月18日", "tags": ["AI", "微软"]},
        {"title": "标题二", "text": "正文二。"},
    ]
    (tmp_path / "list.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "one.json").write_text(json.dumps({"text": "只有正文的一篇。\n第二行。"}, ensure_ascii=False))
    articles, errors = _load(tmp_path)
    assert errors == []
    first, second, single = articles
    assert (first.id, first.source, first.url, first.author, first.date) == (
        "a1", "来源", "https://example.com/a1", "作者", "2024-10-18")
    assert dict(first.meta) == {"tags": '["AI", "微软"]'}
    assert (second.id, second.title) == ("list#2", "标题二")
    assert (single.id, single.title, single.text) == ("one", "只有正文的一篇。", "只有正文的一篇。\n第二行。")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"title": "t", "text": ["a"]}', "field 'text' must be a string"),
        ('{"title": "t"}', "field 'text' is missing"),
        ('{"title": {"a": 1}, "text": "正文"}', "field 'title' must be a string"),
        ('{"id": "", "title": "t", "text": "正文"}', "field 'id' is empty"),
        ('{"title": "t", "text": "正文", "date": "昨天"}', "field 'date': unrecognised date"),
        ('{"title": "t", "text": "正文", "date": "2024-02-30"}', "field 'date': '2024-02-30' is not a real date"),
        ("[1, 2", "invalid JSON"),
        ("42", "expected a JSON object or a list of objects"),
        ("[]", "no articles in the file"),
    ],
)
def test_json_errors_name_the_file_and_reason(tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load_file(path)
    assert str(info.value).startswith(str(path) + ": ")
    assert reason in str(info.value)


# --- bad files -------------------------------------------------------------------------------


def test_bad_files_give_one_clear_error_each_and_the_rest_loads(tmp_path, caplog):
    (tmp_path / "good.txt").write_text("标题\n正文。", encoding="utf-8")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\n\t\n")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)))
    (tmp_path / "doc.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    (tmp_path / "big.md").write_text("标题\n" + "很长的正文。" * 50, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="qa.ingest.corpus"):
        articles, errors = _load(tmp_path, max_bytes=300)
    assert [a.id for a in articles] == ["good"]
    messages = sorted(str(e) for e in errors)
    assert messages == sorted([
        f"{tmp_path / 'empty.md'}: empty file",
        f"{tmp_path / 'blank.txt'}: empty file",
        f"{tmp_path / 'binary.txt'}: not a text file (binary content)",
        f"{tmp_path / 'doc.pdf'}: unsupported file type .pdf (supported: .md .txt .html .htm .json .jsonl)",
        f"{tmp_path / 'big.md'}: file is 907 bytes, over the 300 bytes limit",
    ])
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 5
    # CorpusError.path is the file relative to the corpus folder, like Article.path
    assert sorted(e.path for e in errors) == ["big.md", "binary.txt", "blank.txt", "doc.pdf", "empty.md"]


def test_size_limit_message_in_megabytes(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(52_000_000)  # sparse: no 52 MB written
    with pytest.raises(CorpusError, match=r"huge\.txt: file is 52 MB, over the 20 MB limit$"):
        load_file(path)


def test_front_matter_errors(tmp_path):
    cases = {
        "unclosed.md": ("---\ntitle: x\n正文", "no closing '---' line"),
        "yaml.md": ("---\ntitle: [x\n---\n正文", "invalid YAML front matter"),
        "list.md": ("---\n- a\n- b\n---\n正文", "front matter must be a mapping"),
        "nobody.md": ("---\ntitle: x\n---\n\n", "no article text after the front matter"),
        "date.md": ("---\ndate: 2024-13-45\n---\n正文", "invalid YAML front matter"),
        "date2.md": ("---\ndate: next week\n---\n正文", "field 'date'"),
    }
    for name, (content, reason) in cases.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        with pytest.raises(CorpusError, match=reason):
            load_file(tmp_path / name)


def test_txt_starting_with_a_rule_is_plain_text(tmp_path):
    path = tmp_path / "rule.txt"
    path.write_text("---\n标题\n正文。", encoding="utf-8")
    [article] = load_file(path)
    assert article.title == "---" and article.text == "标题\n正文。"


def test_missing_path_raises_file_not_found_at_once(tmp_path):
    with pytest.raises(FileNotFoundError, match="corpus path not found"):
        load_corpus(tmp_path / "nope")


def test_duplicate_ids_are_reported_and_skipped(tmp_path):
    (tmp_path / "a.md").write_text("---\nid: same\n---\n标题\n正文一。", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\nid: same\n---\n标题\n正文二。", encoding="utf-8")
    articles, errors = _load(tmp_path)
    assert [a.path for a in articles] == ["a.md"]
    assert len(errors) == 1 and "duplicate id 'same' (already used by a.md)" in str(errors[0])
    assert errors[0].path == "b.md"


# --- folders, ids, symlinks ------------------------------------------------------------------


def test_ids_derive_from_the_relative_path_in_sorted_order(tmp_path):
    (tmp_path / "2024" / "10").mkdir(parents=True)
    (tmp_path / "2024" / "10" / "foo.md").write_text("# 标题甲\n\n正文甲。", encoding="utf-8")
    (tmp_path / "2024" / "09.txt").write_text("标题乙\n正文乙。", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Title\nSome English text about the deal.", encoding="utf-8")
    articles, errors = _load(tmp_path)
    assert errors == []
    assert [(a.id, a.path, a.title) for a in articles] == [
        ("2024/09", "2024/09.txt", "标题乙"),
        ("2024/10/foo", "2024/10/foo.md", "标题甲"),
        ("a", "a.txt", "Title"),
    ]
    assert [a.language for a in articles] == ["zh", "zh", "en"]


def test_txt_first_line_that_is_a_sentence_stays_in_the_text(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("这是一个完整的句子,不是标题。\n第二段。", encoding="utf-8")
    [article] = load_file(path)
    assert article.text == "这是一个完整的句子,不是标题。\n第二段。"
    assert article.title == "这是一个完整的句子,不是标题。"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_symlink_loops_and_links_out_of_the_root(tmp_path):
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "a.md").write_text("标题甲\n正文甲。", encoding="utf-8")
    (root / "sub" / "b.txt").write_text("标题乙\n正文乙。", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("机密\n不应读取。", encoding="utf-8")
    try:
        (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
        (root / "sub" / "self").symlink_to(root / "sub" / "self")
        (root / "alias.md").symlink_to(root / "a.md")
        (root / "out").symlink_to(outside, target_is_directory=True)
    except OSError as exc:  # pragma: no cover
        pytest.skip(f"cannot create symlinks: {exc}")
    articles, errors = _load(root)
    assert [a.id for a in articles] == ["a", "sub/b"]
    messages = sorted(str(e) for e in errors)
    assert len(messages) == 2
    assert "outside the corpus folder" in messages[0] and "out:" in messages[0]
    assert "self: broken symlink or symlink loop" in messages[1]
    assert sorted(e.path for e in errors) == ["out", "sub/self"]


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-10-18", "2024-10-18"),
        ("2024/10/18", "2024-10-18"),
        ("2024.10.18", "2024-10-18"),
        ("2024年10月18日", "2024-10-18"),
        ("2024年1月5日", "2024-01-05"),
        ("2024-1-5", "2024-01-05"),
        ("20241018", "2024-10-18"),
        (20241018, "2024-10-18"),
        ("2024-10-18T09:30:00+08:00", "2024-10-18"),
        ("2024-10-18 09:30", "2024-10-18"),
        (dt.date(2024, 10, 18), "2024-10-18"),
        (dt.datetime(2024, 10, 18, 23, 59), "2024-10-18"),
        (None, None),
        ("  ", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "18/10/2024", "2024-10", True, 3.5, [2024]])
def test_parse_date_rejects(value):
    with pytest.raises(ValueError):
        parse_date(value)


# --- robustness ------------------------------------------------------------------------------

_PREFIXES = st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"---\n", b"---\ntitle: x\n---\n", b"\n\n"])
_PAYLOADS = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=400).map(lambda s: s.encode("utf-8")),
    st.text(max_size=400).map(lambda s: s.encode("gb18030")),
    st.text(alphabet=st.characters(max_codepoint=0xFFFF), max_size=200).map(
        lambda s: s.encode("big5", errors="ignore")),
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=_PREFIXES, payload=_PAYLOADS)
def test_load_file_on_random_txt_raises_only_corpus_error(tmp_path, prefix, payload):
    path = tmp_path / "random.txt"
    path.write_bytes(prefix + payload)
    try:
        articles = load_file(path)
    except CorpusError as exc:
        assert str(exc).startswith(str(path) + ": ")
        return
    assert len(articles) == 1
    article = articles[0]
    assert article.id == "random" and article.text and isinstance(article.title, str)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "/relative/page.html"])
def test_a_file_whose_url_is_not_an_http_link_is_refused_naming_the_field(tmp_path, url):
    path = tmp_path / "a.md"
    path.write_text(f"---\nurl: '{url}'\n---\n正文。", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"a\.md: .*field 'url' must be an http:// or https:// link"):
        load_file(path)


# --- a file named on its own (issue #17, finding 7) -------------------------------------------

def test_a_symlink_named_on_its_own_is_refused_when_it_leaves_its_folder(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside.txt"
    corpus.mkdir()
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (corpus / "x.md").symlink_to(outside)
    errors: list[CorpusError] = []
    assert list(load_corpus(corpus / "x.md", errors=errors)) == []
    assert len(errors) == 1 and "outside its folder" in str(errors[0]) and str(outside) in str(errors[0])


def test_a_symlink_named_on_its_own_is_read_when_its_target_is_in_the_same_folder(tmp_path):
    (tmp_path / "real.md").write_text("---\ntitle: 真的\n---\n正文。\n", encoding="utf-8")
    (tmp_path / "alias.md").symlink_to(tmp_path / "real.md")
    assert [a.title for a in load_corpus(tmp_path / "alias.md")] == ["真的"]


@pytest.mark.parametrize("name, content", [
    ("big.json", '{"title": "t", "text": "正文。", "views": ' + "9" * 5000 + "}"),
    ("big.jsonl", '{"title": "t", "text": "正文。", "views": ' + "9" * 5000 + "}\n"),
    ("big.md", "---\ntitle: t\nviews: " + "9" * 5000 + "\n---\n正文。\n"),
])
def test_a_number_too_long_for_python_is_named_as_such(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    errors: list[CorpusError] = []
    assert list(load_corpus(path, errors=errors)) == []
    message = str(errors[0])
    assert "a number in the file has more than 4300 digits" in message and "set_int_max_str_digits" not in message
