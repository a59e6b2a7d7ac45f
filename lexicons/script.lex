# Service-script lexicon: what agents (and robots) should and should not say.
# Format: lexicons/README.md. Seeds: domain.md §4.1 (lingtaoedu.com/378.html,
# /4379.html; xiaoduoai QC templates), §3.2, plus common Taobao 客服禁语.
# Script categories default to role=agent (human agents and robots).

[greeting]
您好
你好 | except=你好像
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

[apology]
抱歉
非常抱歉
久等 | note=让您久等了
不好意思
对不起
给您带来不便
给您添麻烦了
实在抱歉
深表歉意

[follow_up]
稍等 | note=subject of the 漏跟进 check (promise to come back)
请稍等
请稍候
稍后回复
我去查一下
我查一下
帮您查一下
帮您查询
为您查询
我去问一下
帮您核实
核实一下
马上 | note=马上为您处理
马上为您
我帮您看看
这边帮您
正在为您查询

[review_invite]
好评 | note=longer 好评返现 in offplatform.lex wins where it applies
给个好评
五星好评
五星 | boundary | except=五星级
评价 | except=评价管理
给个评价
邀请您评价
满意度
服务评价
打个分

[dismissive]
不知道 | boundary | except=不知道您 | note=不知道您要哪款 is a polite question; 不知道，亲 stays dismissive (punctuation is skipped, so 不知道亲 cannot be an exception)
我也不知道
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
没办法 | boundary
没有办法 | boundary
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
不行 | boundary | except=行不行,不行的话
不可以 | except=可不可以,不可以吗
不能 | except=能不能,不能不,不能用,不能使用
做不到
办不到
没法 | boundary
不给退
不给换
不退不换
不接受

[absolute_claim]
最 | except=最近,最快,最新,最后,最晚,最迟,最早,最终,最多,最少,最长,最短,最初,最大支持,最高支持,最大的动力 | note=广告法 absolute; 最近/最快明天 are time words
最好 | boundary | except=最好是,最好先,最好不要,最好别
最佳
最优
最强
最高级
最便宜
最低价
全网最低
全网最低价
全网最便宜
第一 | boundary | except=第一次,第一个,第一步,第一时间,第一天,第一件,第一单,第一批
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
