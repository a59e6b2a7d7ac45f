# Abuse lexicon: insults and threats (any sender), buyer complaints and
# stop requests (buyer side). Format: lexicons/README.md.
# Seeds: domain.md §2.1 (骚扰他人: 侮辱、恐吓), §3.2 (Aliyun 辱骂/投诉/制造舆情
# models), §4.1, plus pinyin initials and homophones used to dodge filters.

[insult]
你是不是傻 | note=rhetorical insult aimed at the other party
你傻啊
你是傻子吗
傻逼
傻b
傻比
傻屄
傻x
傻叉
煞笔
沙比
煞比
傻缺
sb | note=ASCII edges keep usb quiet
二逼
2逼
脑残
智障
白痴
弱智
蠢货
蠢猪
猪脑子
脑子有病
脑子进水
有病 | boundary | note=boundary keeps 有病毒 quiet
神经病
废物
垃圾 | boundary | except=垃圾袋,垃圾桶,垃圾分类,垃圾短信,垃圾邮件,垃圾信息 | note=also a buyer's verdict on a product; rules weigh it
垃圾东西
垃圾玩意
滚 | boundary | except=滚筒,滚动,打滚,滚轮,滚珠,滚刷 | note=滚筒洗衣机 must stay quiet
滚蛋
滚开
滚犊子
混蛋
王八蛋
贱人
贱货
婊子
狗东西
狗日的
狗屎
你妈 | except=你妈妈
你妈的 | except=你妈妈的
妈的 | boundary | except=妈妈的
他妈的
特么
tmd
尼玛 | boundary
草泥马
曹尼玛
操你
操你妈
日你妈
cnm
wcnm
nmsl
mlgb
nnd
你妈死了
死全家
不要脸
臭不要脸
丢人现眼
闭嘴
屌丝
傻帽
二货
骗子 | severity=medium | note=an accusation more than an insult
fuck
shit

[threat]
弄死你
弄死 | boundary
砍死
砍死你
打死你
杀了你
杀你全家
让你好看
等着瞧
走着瞧
你等着 | boundary
给我等着
要你命
废了你
收拾你
找人收拾你
知道你住哪
知道你家在哪
上门找你
去你家
弄你 | boundary
炸了你
放火烧

[complaint]
投诉 | note=buyer-side escalation signal (Aliyun 投诉 model)
我要投诉
曝光
12315
315
举报
差评 | boundary
给差评
消协
消费者协会
工商局
市场监管
报警
律师
起诉
找记者
媒体曝光
找你们领导
叫你们领导
你们负责人
转人工
什么态度
你什么态度
太不专业
服务太差
垃圾服务
退一赔三
欺骗消费者

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
