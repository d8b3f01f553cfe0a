# Writes hand-made analysis results (docs/result-model.md, equitylens.analysis/1) used by the report tests.
import json, math, random
random.seed(7)
z=1.959963984540054
POL={"policy":"Disclosure control: counts 1\u20137 shown as *; other counts rounded to the nearest 5; rates and statistics with a suppressed numerator or denominator suppressed; secondary suppression protects totals (audited).",
     "suppress_min":1,"suppress_max":7,"round_to":5,"secondary":True,"decimals":1,"mask":"*"}
def r5(v): return int(5*round(v/5))
def rd(v,d=1): return None if v is None else round(v,d)
def wilson(x,n):
    p=x/n; d=1+z*z/n; c=(p+z*z/(2*n))/d; h=z*math.sqrt(p*(1-p)/n+z*z/(4*n*n))/d
    return 100*(c-h),100*(c+h)
def iv(v,l,u,m): return {"value":rd(v),"lower":rd(l),"upper":rd(u),"method":m}
IMD=[("1","1 (most deprived)"),("2","2"),("3","3"),("4","4"),("5","5 (least deprived)"),("unknown","Unknown")]
ETH=[("White","White"),("Mixed","Mixed"),("Asian","Asian or Asian British"),("Black","Black or Black British"),("Other","Other ethnic group"),("Not stated","Not stated (Z)"),("Not known","Not known (99)"),("unknown","Unknown")]
def lens_obj(lid,label,groups,ns,ordered,ref):
    tot=sum(n for n in ns if n)
    gs=[]
    for i,((k,l),n) in enumerate(zip(groups,ns)):
        sup=n is not None and 1<=n<=7
        gs.append({"key":k,"label":l,"order":i+1,"unknown":k=="unknown","n":None if sup else r5(n),"share":None if sup else rd(100*n/tot),"suppressed":"primary" if sup else None})
    return {"lens":lid,"label":label,"fields":[lid],"ordered":ordered,"reference":ref,"groups":gs}
def prop_result(mid,label,lens,ns,ps,ref,hib,stratum=None,excess_cost=None):
    groups=[];gaps=[];num=0;den=0;refv=None
    for (k,l),n,p in zip(lens["groups_def"],ns,ps):
        if n<=7:
            groups.append({"key":k,"n":None,"numerator":None,"value":None,"lower":None,"upper":None,"method":"wilson","suppressed":"primary"}); continue
        x=r5(n*p); n5=r5(n); num+=x; den+=n5
        lo,hi=wilson(x,n5)
        groups.append({"key":k,"n":n5,"numerator":x,"value":rd(100*x/n5),"lower":rd(lo),"upper":rd(hi),"method":"wilson","suppressed":None})
        if k==ref: refv=(x,n5)
    for g in groups:
        if g["key"]==ref or g["key"]=="unknown": continue
        if g["suppressed"]:
            gaps.append({"key":g["key"],"reference":ref,"difference":None,"ratio":None,"p_value":None,"significant":None,"adjusted":None,"suppressed":"primary"}); continue
        p1=g["numerator"]/g["n"];p0=refv[0]/refv[1]
        se=math.sqrt(p1*(1-p1)/g["n"]+p0*(1-p0)/refv[1]); d=100*(p1-p0)
        r=p1/p0; sl=math.sqrt(max(1e-12,(1-p1)/g["numerator"]+(1-p0)/refv[0]))
        sig=abs(d)>100*z*se
        a=d*0.75; ase=100*se*1.1
        gaps.append({"key":g["key"],"reference":ref,"difference":iv(d,d-100*z*se,d+100*z*se,"newcombe"),
            "ratio":{"value":round(r,2),"lower":round(r*math.exp(-z*sl),2),"upper":round(r*math.exp(z*sl),2),"method":"katz-log"},
            "p_value":round(math.erfc(abs(d)/(100*se)/math.sqrt(2)),6),"significant":sig,
            "adjusted":{"difference":iv(a,a-z*ase,a+z*ase,"mantel-haenszel-sato"),"ratio":{"value":round(1+(r-1)*0.75,2),"lower":round(1+(r-1)*0.75-0.05,2),"upper":round(1+(r-1)*0.75+0.05,2),"method":"mantel-haenszel-greenland-robins"},
                        "significant":abs(a)>z*ase,"strata":["treatment_function_code","clinical_priority"],"strata_used":12},"suppressed":None})
    lo,hi=wilson(num,den)
    res={"metric":mid,"label":label,"unit":"%","kind":"proportion","higher_is_better":hib,"lens":lens["lens"],"stratum":stratum,
         "overall":{"key":"overall","n":den,"numerator":num,"value":rd(100*num/den),"lower":rd(lo),"upper":rd(hi),"method":"wilson","suppressed":None},
         "groups":groups,"gaps":gaps,"inequality":None,"excess":None}
    if lens["ordered"]:
        res["inequality"]={"sii":iv(-(ps[0]-ps[4])*100*1.2,-(ps[0]-ps[4])*100*1.2-1.5,-(ps[0]-ps[4])*100*1.2+1.5,"simulation"),
                           "rii":{"value":round(ps[4]/ps[0],2),"lower":round(ps[4]/ps[0]-0.06,2),"upper":round(ps[4]/ps[0]+0.06,2),"method":"simulation"}}
    if excess_cost is not None:
        p0=refv[0]/refv[1]; ev=sum(g["numerator"]-p0*g["n"] for g in groups if not g["suppressed"] and g["key"]!=ref)
        res["excess"]={"events":rd(ev),"lower":rd(ev*0.8),"upper":rd(ev*1.2),"cost":round(ev*excess_cost),"cost_lower":round(ev*0.8*excess_cost),"cost_upper":round(ev*1.2*excess_cost),"cost_per_event":excess_cost,"suppressed":None}
    return res
def wait_result(lens,ns,means,ref):
    groups=[];gaps=[]
    for (k,l),n,m in zip(lens["groups_def"],ns,means):
        n5=r5(n); sd=m*0.8; h=1.96*sd/math.sqrt(n5)
        groups.append({"key":k,"n":n5,"value":rd(m*0.8),"lower":rd(m*0.8-h),"upper":rd(m*0.8+h),"method":"order-statistic",
                       "mean":iv(m,m-h,m+h,"t"),"median":iv(m*0.8,m*0.8-h,m*0.8+h,"order-statistic"),"p92":iv(m*2.1,m*2.1-2*h,m*2.1+2*h,"order-statistic"),"suppressed":None})
    rg=[g for g in groups if g["key"]==ref][0]
    for g in groups:
        if g["key"] in (ref,"unknown"): continue
        d=g["mean"]["value"]-rg["mean"]["value"]; se=math.hypot(g["mean"]["value"]*0.8/math.sqrt(g["n"]),rg["mean"]["value"]*0.8/math.sqrt(rg["n"]))
        gaps.append({"key":g["key"],"reference":ref,"difference":iv(d,d-z*se,d+z*se,"welch"),"ratio":{"value":round(g["mean"]["value"]/rg["mean"]["value"],2),"lower":None,"upper":None,"method":"delta-log"},
                     "p_value":0.01,"significant":abs(d)>z*se,"adjusted":{"difference":iv(d*0.6,d*0.6-z*se*1.2,d*0.6+z*se*1.2,"direct-standardisation"),"ratio":None,"significant":abs(d*0.6)>z*se*1.2,"strata":["treatment_function_code","clinical_priority"],"strata_used":10},"suppressed":None})
    n=sum(g["n"] for g in groups); m=sum(g["n"]*g["mean"]["value"] for g in groups)/n
    return {"metric":"wait_weeks","label":"Weeks waited","unit":"weeks","kind":"continuous","higher_is_better":False,"lens":lens["lens"],"stratum":None,
            "overall":{"key":"overall","n":n,"value":rd(m*0.8),"lower":rd(m*0.8-0.2),"upper":rd(m*0.8+0.2),"method":"order-statistic","mean":iv(m,m-0.2,m+0.2,"t"),"suppressed":None},
            "groups":groups,"gaps":gaps,"inequality":None,"excess":None}
def L(lid,label,defs,ns,ordered,ref):
    o=lens_obj(lid,label,defs,ns,ordered,ref); o["groups_def"]=defs; return o
def strip(lenses):
    for l in lenses: l.pop("groups_def",None)
def spc(vals,direction_low_good=True):
    n=len(vals); m=sum(vals)/n; mr=sum(abs(vals[i]-vals[i-1]) for i in range(1,n))/(n-1)
    pts=[]
    for i,v in enumerate(vals):
        pts.append({"period":"%d-%02d"%(2023+(i+3)//12,(i+3)%12+1),"n":r5(400+10*i),"value":round(v,1),"mean":round(m,2),"lpl":round(m-2.66*mr,2),"upl":round(m+2.66*mr,2),
                    "cause":"Common Cause","point_type":"common_cause","suppressed":None})
    return pts
def meta(kind,rows,src):
    return {"kind":kind,"rows":rows,"source":src,"census_date":"2025-03-31" if kind=="waiting_list" else None,
            "period":{"from":"2023-04-01","to":"2025-03-31"},"imd_edition":"IMD 2019 (2011 LSOAs)"}
# ---- waiting list
imd_ns=[3400,3000,2600,2300,2100,420]; eth_ns=[8200,610,1650,940,330,700,1390,4]
imdL=L("imd_quintile","IMD quintile",IMD,imd_ns,True,"5"); ethL=L("ethnic_group","Ethnic group (broad)",ETH,eth_ns,False,"White")
wl_res=[prop_result("over_18_weeks","% waiting over 18 weeks",imdL,imd_ns,[0.52,0.48,0.45,0.42,0.38,0.45],"5",False),
        prop_result("over_18_weeks","% waiting over 18 weeks",ethL,eth_ns,[0.41,0.43,0.47,0.50,0.42,0.41,0.44,0.5],"White",False),
        prop_result("over_18_weeks","% waiting over 18 weeks",imdL,[1200,1000,900,800,700,150],[0.46,0.42,0.38,0.36,0.33,0.4],"5",False,stratum={"field":"clinical_priority","value":"P2"}),
        prop_result("over_52_weeks","% waiting over 52 weeks",imdL,imd_ns,[0.044,0.038,0.032,0.026,0.020,0.03],"5",False,excess_cost=None),
        wait_result(imdL,imd_ns,[22.0,20.5,19.0,18.2,17.0,19.0],"5")]
t1=[10.5+random.gauss(0,0.7)-(3.0 if i>=16 else 0) for i in range(24)]
p1=spc(t1)
for p in p1[17:]: p["point_type"]="special_cause_improvement"; p["cause"]="7 Points Below CL"
wl_trends=[{"metric":"over_18_weeks","lens":"imd_quintile","period":"month","series":[],
            "gap_series":[{"key":"1","reference":"5","points":p1,"variation":"improvement_low","assurance":"inconsistent","target":5.0}]}]
strip([imdL,ethL])
wl={"schema":"equitylens.analysis/1","generator":"equitylens 0.1.0 (hand-written fixture)","disclosure":POL,
    "dataset":meta("waiting_list",r5(sum(imd_ns)),"waiting_list.csv"),
    "options":{"confidence":0.95,"adjust_for":["treatment_function_code","clinical_priority"]},
    "summary":{"top_gaps":[],"text":["Patients from the most deprived quintile are more likely to wait over 18 weeks."]},
    "lenses":[imdL,ethL],"results":wl_res,"missing":None,"longest_waiters":None,"trends":wl_trends,
    "notes":["Ethnicity is not known (99) or not stated (Z) for about a sixth of pathways; they are shown as their own groups, never folded in."]}
# ---- appointments
a_imd=[14000,12000,10500,9400,8800,1500]; a_eth=[33000,2400,6500,3800,1400,2900,6200,6]
aimd=L("imd_quintile","IMD quintile",IMD,a_imd,True,"5"); aeth=L("ethnic_group","Ethnic group (broad)",ETH,a_eth,False,"White")
ap_res=[prop_result("dna_rate","DNA rate",aimd,a_imd,[0.112,0.098,0.085,0.074,0.061,0.09],"5",False,excess_cost=120),
        prop_result("dna_rate","DNA rate",aeth,a_eth,[0.07,0.08,0.085,0.10,0.08,0.07,0.09,0.1],"White",False,excess_cost=120)]
t2=[4.8+random.gauss(0,0.5) for i in range(24)]; t3=[3.0+random.gauss(0,0.4)+(1.6 if i>=16 else 0) for i in range(24)]
p3=spc(t3)
for p in p3[16:23]: p["point_type"]="special_cause_concern"; p["cause"]="7 Points Above CL"
ap_trends=[{"metric":"dna_rate","lens":"imd_quintile","period":"month","series":[],"gap_series":[{"key":"1","reference":"5","points":spc(t2),"variation":"common_cause","assurance":"none"}]},
           {"metric":"dna_rate","lens":"ethnic_group","period":"month","series":[],"gap_series":[{"key":"Black","reference":"White","points":p3,"variation":"concern_high","assurance":"none"}]}]
strip([aimd,aeth])
ap={"schema":"equitylens.analysis/1","generator":"equitylens 0.1.0 (hand-written fixture)","disclosure":POL,
    "dataset":meta("appointments",r5(sum(a_imd)),"appointments.csv"),"options":{"confidence":0.95,"cost_per_dna":120,"dna_codes":["3","7"],"attended_codes":["5","6"]},
    "summary":{"top_gaps":[],"text":[]},"lenses":[aimd,aeth],"results":ap_res,
    "missing":{"catchment":{"by":"la","codes":["E08000025"],"lsoas":639,"population":1144900},"activity":"referrals",
      "tables":[{"lens":"imd_quintile","standardised":"indirect (age, census 2021 age6)","groups":[
          {"key":k,"observed":o,"population":p,"rate_per_1000":iv(1000*o/p,1000*o/p*0.95,1000*o/p*1.05,"byar"),"expected":e,
           "ratio":{"value":round(o/e,2),"lower":round(o/e*(1-1/(9*o)-z/(3*math.sqrt(o)))**3,2),"upper":round((o+1)/e*(1-1/(9*(o+1))+z/(3*math.sqrt(o+1)))**3,2),"method":"byar"},"suppressed":None}
          for k,o,p,e in [("1",2650,310000,3050.2),("2",2700,250000,2800.4),("3",2600,220000,2500.9),("4",2350,200000,2200.0),("5",2150,164900,1950.5)]]},
        {"lens":"ethnic_group","standardised":"indirect (age, census 2021 age6)","groups":[
          {"key":k,"observed":o,"population":p,"rate_per_1000":iv(1000*o/p,1000*o/p*0.95,1000*o/p*1.05,"byar"),"expected":e,
           "ratio":{"value":round(o/e,2),"lower":round(o/e*(1-1/(9*o)-z/(3*math.sqrt(o)))**3,2),"upper":round((o+1)/e*(1-1/(9*(o+1))+z/(3*math.sqrt(o+1)))**3,2),"method":"byar"},"suppressed":None}
          for k,o,p,e in [("White",9600,700000,9000.3),("Mixed",420,40000,520.0),("Asian",1350,300000,1700.6),("Black",610,70000,760.1)]]+
          [{"key":"Other","observed":None,"population":34900,"rate_per_1000":None,"expected":None,"ratio":None,"suppressed":"primary"}]}],
      "notes":["Census 2021 puts Chinese under Asian; NHS category R is under Other."]},
    "longest_waiters":None,"trends":ap_trends,"notes":["Appointments with attendance code 0 (future) or 9 (not known) are excluded from the DNA rate."]}
# ---- cancer
c_imd=[900,820,760,700,650,120]
cimd=L("imd_quintile","IMD quintile",IMD,c_imd,True,"5")
ca_res=[prop_result("fds_28_days","% told within 28 days (FDS)",cimd,c_imd,[0.72,0.75,0.77,0.79,0.81,0.76],"5",True),
        prop_result("treated_62_days","% treated within 62 days",cimd,c_imd,[0.66,0.70,0.71,0.73,0.75,0.7],"5",True)]
strip([cimd])
ca={"schema":"equitylens.analysis/1","generator":"equitylens 0.1.0 (hand-written fixture)","disclosure":POL,
    "dataset":meta("cancer_pathways",r5(sum(c_imd)),"cancer.csv"),"options":{"confidence":0.95},"summary":{"top_gaps":[],"text":[]},
    "lenses":[cimd],"results":ca_res,"missing":None,"longest_waiters":None,"trends":[],"notes":[]}
for name,doc in [("waiting_list",wl),("appointments",ap),("cancer",ca)]:
    json.dump(doc,open('%s.json'%name,'w'),indent=1,sort_keys=True,ensure_ascii=False)
