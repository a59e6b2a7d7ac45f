# Service-script lexicon: what agents (and robots) should and should not say.
# Format: lexicons/README.md. Seeds: domain.md §4.1 (lingtaoedu.com/378.html,
# /4379.html; xiaoduoai QC templates), §3.2, plus common Taobao 客服禁语.
# Script categories default to role=agent (human agents and robots).

[greeting]
您好 | not_before=评 | note=您好评 is 您 + 好评 (麻烦您好评一下), not a greeting
你好 | except=你好像 | not_before=评
亲 | except=亲自,亲戚,亲人,亲子,亲切,亲身,亲手,亲密,亲朋,亲友,亲属,亲情,亲近,亲眼,亲口,亲生,亲肤,亲和,亲民,亲历,父亲,母亲,双亲,相亲,探亲,省亲,乡亲,亲爱的朋友 | note=the Taobao address form (亲, 亲爱的); allow-contexts instead of a jieba check because it is the most frequent term
欢迎光临
欢迎来到
欢迎光顾
很高兴为您服务
有什么可以帮您
有什么可以帮到您
请问有什么可以
在的亲
我是客服
有什么问题我可以帮您 | note=the JD/Taobao opening line (有什么问题我可以帮您处理或解决呢)
有什么可以为您服务
在的哈
在的呢
在的哦
在的 | boundary | note=the guide's 在的 (在的亲, 在的呢 …); jieba keeps 现在的, 存在的 whole
在呢 | boundary
在哦 | boundary
客官 | note=address form (客官您好), like 亲
有何吩咐
请吩咐
请问您是咨询 | note=JD's routing opener (请问您是咨询之前的问题还是有其他的问题需要处理呢) is an offer of help
是咨询之前的问题
咨询上一次的问题
看中了哪款 | note=请问您是看中了哪款商品呢，还是有售后问题需要处理呢
请问之前的 ~{0,8} 问题 | note=an opener asking about the earlier issue (请问之前的订单还有什么问题吗)
有什么 ~{0,4} 可以帮 | not_after=还 | note=有什么问题可以帮到您; 还有什么可以帮您 is a closing question
有什么 ~{0,4} 可以为您 | not_after=还
为您服务 | not_after=随时,再次,继续 | note=小能能，为您服务; 期待再次为您服务 is a closing

[closing]
祝您 | note=祝您生活愉快, 祝您购物愉快
生活愉快
购物愉快
再见 | except=再见面,再见到
拜拜
感谢
感谢您的支持
感谢您的耐心
谢谢 | note=collapses to 谢 but needs the doubled form
欢迎下次光临
欢迎再次光临
期待您再次光临
期待您的再次光临
还有其他问题吗
还有其他可以帮您
还有什么可以帮您
还有什么可以帮到您
还有其他还可以帮到您
还有什么其他问题
还有什么小妹可以
期待再次为您服务
多多谅解
多多包含 | note=a common misspelling of 多多包涵 in closings
多多包涵
还有什么疑问
还有什么问题吗
很高兴遇到您
还有其他 | note=the closing question 请问还有其他可以帮到您的吗 in its many variants (closings are only looked for in the last shop messages)
还有什么 | except=还有什么颜色,还有什么款 | note=请问还有什么问题可以帮您呢
效劳 | note=还有什么可以为您效劳的吗
不客气
不谢 | note=不谢不谢 is 不客气
麻烦您了 | note=thanks for the buyer's trouble at the end
应该做的
我一直都在
还有没有 | note=请问还有没有其他可以帮您的
还有其它
还有别的
为您服务的吗
乐意为您服务
随时反馈 | note=后期有问题可以随时反馈我们哦: the door left open at the end
随时联系
随时咨询
有问题随时

[review_invite]
好评 | note=longer 好评返现 in offplatform.lex wins where it applies
给个好评
五星好评
五星 | boundary | except=五星级
评价 | except=评价管理,评价不等于 | note=评价不等于服务结束 is JD's reminder that a review does not end the chat, not an ask
给个评价
邀请您评价
满意度
服务评价
打个分
好平 | note=the homophone dodge of 好评 (好平返现)

[dismissive]
不知道 | boundary | except=不知道您 | question=no | note=不知道您要哪款 is a polite question; `flat` in rules.toml: quiet when a way forward follows (不过, 帮您问一下)
不清楚 | boundary | question=no | note=flat 这个不清楚哦; quiet with a next step (不清楚，我帮您问一下)
我也不知道
不是说了 | note=不是说了…吗: impatience at repeating
不归我管
不是我管的
这不是我的问题
不是我的问题
那是你的问题
关我什么事
跟我没关系
和我没关系
你不懂
你懂不懂
随便你
随你便
爱买不买
爱要不要
急什么
急啥
听不懂吗
听不懂啊
看不懂吗
不是说过了吗
我不是说过了吗
说过了 | boundary
说了多少遍
自己看
你自己看
自己去看
自己去查
自己查
也没办法 | clause_final | note=我也没办法 / 这边也没办法了亲 as a brush-off; 没办法修改地址 states a limit (a refusal, SCR002's business)
也没有办法 | clause_final
也办不到 | clause_final | note=小妹也办不到呢
也无法估计
也没法 | clause_final
详情页有 | note=pointing the buyer to the product page instead of answering (你自己看)
详情页上有
详情页都有
详情里有
不可能 | boundary
别啰嗦
啰嗦什么
烦不烦
你烦不烦
有完没完
问别人去
找快递去
找快递
你去找快递
投诉到哪都没用
投诉也没用
你随便投诉
你爱投诉投诉
快一点 | boundary | except=更快一点,会快一点 | note=impatient 快一点 from an agent; 会更快一点 explains a faster path
你怎么不
怎么这么多问题
唉 | boundary
哼 | boundary

[refusal]
# Refusals fire SCR002 only when neither their message (outside the
# refusal's own words: 不可以 holds 可以) nor the next shop message offers a
# way forward (`[direct_refusal] alternatives` in rules.toml). A question
# (主机也不行吗) asks, it does not refuse.
不行 | boundary | except=行不行,不行的话 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
不可以 | except=可不可以,不可以吗 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
不能 | except=能不能,不能不,不能用,不能使用 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
做不到 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
办不到 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
没法 | boundary | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
无法 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就 | note=无法修改地址, 是无法改成退货的
不支持 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就 | note=不支持比价价保, 维修不支持上门取件
查不到 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
不了 | clause_final | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就 | note=V不了 at the end of a clause: 提前不了的呢, 改不了; 用不了多久 goes on, so it is quiet
不保证 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
不能保证 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就 | note=a refusal to guarantee: quiet with an estimate (`estimates` in rules.toml)
无法保证 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
不能确保 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
无法确定 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
无法估计 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
不能确定 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
没办法保证 | question=no
没办法 ~{0,6} 保证 | question=no | note=也没办法先向您保证: a refusal to guarantee with words between
没有办法 ~{0,6} 保证 | question=no | scope_not=如,如果,可能,但,但是,不过,万一,那就
不给退
不给换
不退不换

[absolute_claim]
# 最 alone is everywhere (最近, 最快明天, 力气最小的, 最尊贵的您): only the
# superlatives a shop uses to sell are claims.
最好 | boundary | except=最好是,最好先,最好不要,最好别,最好的办法 | scope_not=如果
最低 | note=价格最低了, 全网最低
最佳
最优
最强
最高级
最便宜
最划算
最实惠
最优惠
最正宗
最畅销
最受欢迎
最火
最好用
最耐用
最持久
最结实
最舒适
最保暖
最省电
最有效
最专业
最安全
最先进
最高端
最顶级
全网最
全网最低
全网最低价
全网最便宜
第一 | boundary | except=第一次,第一个,第一步,第一时间,第一天,第一件,第一单,第一批 | not_before=车队,分仓,仓,站,中心,店,盒,箱,包,瓶,袋,份,个,件,台,套,张,笔,条,页,期,周,年,月,日,号,轮,层,排,位,种,款,步,部分,阶段,次,时,批 | note=a ranking; ordinals (第一盒) and names (广州番禺第一车队, 第一分仓) are not
全国第一
全网第一
销量第一
全网销量第一
行业第一
第一品牌
全球领先
国际领先
世界领先
顶级
极品
国家级
世界级
永久
特效
100%
百分百
百分之百
纯天然
祖传
无敌
根治
绝对 | boundary
史无前例
独一无二
万能
王牌
首选
唯一 | boundary | except=唯一的问题,唯一的办法
零风险
零缺陷
无副作用

[over_promise]
绝对正品
100%正品
百分百正品
保证正品
100%有效
百分百有效
肯定能退款
百分百退款
保证退款
一定能退
肯定能退
肯定能到
保证明天到
一定能到
绝对不可能出现问题
绝对没问题
肯定没问题
保证没问题
不会有任何问题
假一赔十
假一罚十
假一赔万
永不褪色
终身保修
无效退款
质量是保证的
质量有保证
质量保证
品质保证
正品保证
保证 ~{0,6} 新鲜 | scope_not=不,无法,没法,为了 | note=保证商品的新鲜度
一定 ~{0,4} 解决 | scope_not=尽量,尽力,不 | note=一定为您解决好: an outcome the shop cannot promise, also after 如果您的问题没有解决
都能 ~{0,4} 解决好 | scope_not=如果,不
绝对 ~{0,2} 不会 | scope_not=如果 | note=绝对不会坏, 绝对不会遗落: a promise, not an advertising claim (SCR009 yields to it)
绝对 ~{0,2} 会
绝对 ~{0,2} 能
绝对 ~{0,2} 没
绝对 ~{0,2} 可以
百分之百 ~{0,6} 有 | scope_not=如果 | note=百分之百过两天有物流: a certainty about an outcome
百分之百 ~{0,6} 会
百分之百 ~{0,6} 能
百分之百 ~{0,6} 到
百分百 ~{0,6} 有
百分百 ~{0,6} 会
百分百 ~{0,6} 能
百分百 ~{0,6} 到
肯定 ~{0,4} 能到 | scope_not=不

[competitor]
京东 | except=京东方 | note=naming a rival platform; JDDC sample text is JD's own chat, so expect hits there
拼多多
唯品会
微店
闲鱼
得物
苏宁易购
抖音小店
京东垃圾 | severity=high
京东假货 | severity=high
京东都是假货 | severity=high
拼多多垃圾 | severity=high
拼多多假货 | severity=high
拼多多都是假货 | severity=high
别家都是假货 | severity=high
别家是假货 | severity=high
别的店都是假货 | severity=high
